// A yuan text box that reports integer fen (parsed by string arithmetic) or null while invalid or out of
// [minFen, maxFen]; the inline message says which bound was missed.
import { TextInput, type TextInputProps } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { parseYuan } from '@redtap/shared/money';
import { fenToYuanText, moneyInputProblem } from '../lib/money.ts';

export function MoneyInput(
  props: Omit<TextInputProps, 'value' | 'onChange' | 'error'> & {
    initialFen?: number | undefined;
    onFen: (fen: number | null) => void;
    error?: string | null | undefined;
    /** Smallest amount accepted, fen; 0 unless given. */
    minFen?: number;
    /** Largest amount accepted, fen; FEN_MAX unless given. */
    maxFen?: number;
  },
) {
  const { t } = useTranslation();
  const { initialFen, onFen, error, minFen, maxFen, ...rest } = props;
  const bounds = { ...(minFen === undefined ? {} : { minFen }), ...(maxFen === undefined ? {} : { maxFen }) };
  const [text, setText] = useState(initialFen === undefined ? '' : fenToYuanText(initialFen));
  const problem = moneyInputProblem(text, bounds);
  return (
    <TextInput
      {...rest}
      inputMode="decimal"
      leftSection="¥"
      value={text}
      error={problem === null ? (error ?? undefined) : t(`common.${problem.key}`, problem)}
      onChange={(event) => {
        const value = event.currentTarget.value;
        setText(value);
        const next = parseYuan(value);
        onFen(next.ok && moneyInputProblem(value, bounds) === null ? next.value : null);
      }}
    />
  );
}
