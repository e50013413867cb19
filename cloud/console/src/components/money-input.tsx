// A yuan text box that reports integer fen (parsed by string arithmetic) or null while invalid.
import { TextInput, type TextInputProps } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { parseYuan } from '@redtap/shared/money';
import { fenToYuanText } from '../lib/money.ts';

export function MoneyInput(
  props: Omit<TextInputProps, 'value' | 'onChange' | 'error'> & {
    initialFen?: number;
    onFen: (fen: number | null) => void;
    error?: string | null;
  },
) {
  const { t } = useTranslation();
  const { initialFen, onFen, error, ...rest } = props;
  const [text, setText] = useState(initialFen === undefined ? '' : fenToYuanText(initialFen));
  const parsed = parseYuan(text);
  const invalid = text.trim() !== '' && !parsed.ok;
  return (
    <TextInput
      {...rest}
      inputMode="decimal"
      leftSection="¥"
      value={text}
      error={invalid ? t('common.amountInvalid') : (error ?? undefined)}
      onChange={(event) => {
        const value = event.currentTarget.value;
        setText(value);
        const next = parseYuan(value);
        onFen(next.ok ? next.value : null);
      }}
    />
  );
}
