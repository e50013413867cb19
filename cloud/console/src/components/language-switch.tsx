// The language picker; the choice is remembered across visits.
import { SegmentedControl } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { LANGUAGES, setLanguage, type Language } from '../i18n.ts';

export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <SegmentedControl
      size="xs"
      aria-label={t('app.language')}
      value={i18n.language === 'en' ? 'en' : 'zh-CN'}
      data={LANGUAGES.map((language) => ({ value: language.value, label: language.label }))}
      onChange={(value) => void setLanguage(value as Language)}
    />
  );
}
