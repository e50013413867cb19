// Page-at-a-time keyset paging: the cursors of the pages before this one (so "back" returns exactly),
// and the foot with a back and a forward button. The server's cursor for the next page is null on the
// last one.
import { Button, Group } from '@mantine/core';
import { useState } from 'react';

export function useCursorStack() {
  const [cursors, setCursors] = useState<number[]>([0]);
  return {
    /** The cursor of the page shown; 0 for the first. */
    cursor: cursors.at(-1) ?? 0,
    atFirst: cursors.length === 1,
    back: () => setCursors(cursors.slice(0, -1)),
    forward: (next: number) => setCursors([...cursors, next]),
    reset: () => setCursors([0]),
  };
}

export function CursorPager(props: {
  pages: ReturnType<typeof useCursorStack>;
  /** The server's cursor of the next page, null on the last. */
  next: number | null;
  backLabel: string;
  forwardLabel: string;
}) {
  const { pages, next } = props;
  return (
    <Group justify="space-between" p="sm">
      <Button variant="default" size="xs" disabled={pages.atFirst} onClick={pages.back}>
        {props.backLabel}
      </Button>
      <Button
        variant="default"
        size="xs"
        disabled={next === null}
        onClick={() => next !== null && pages.forward(next)}
      >
        {props.forwardLabel}
      </Button>
    </Group>
  );
}
