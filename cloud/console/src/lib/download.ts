// Saves text (CSV exports) as a file through a temporary object URL. A CSV file keeps its UTF-8 byte
// order mark, which Response.text() drops, so a spreadsheet reads Chinese names as UTF-8.
const UTF8_BOM = '\uFEFF';

export function downloadText(filename: string, text: string, type = 'text/csv;charset=utf-8'): void {
  const bytes = type.startsWith('text/csv') && !text.startsWith(UTF8_BOM) ? `${UTF8_BOM}${text}` : text;
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
