// The local calendar day (YYYY-MM-DD) of a Unix time in a time zone; caps and reports count by it.
// One rule for kiosk and cloud, so both count a tap on the same day (an unknown zone counts UTC days).
export { localDay } from '@redtap/shared';
