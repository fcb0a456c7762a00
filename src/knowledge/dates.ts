/** Dates as Vietnamese newspapers print them. The article model keeps ISO days (yyyy-mm-dd). */

const WEEKDAYS = ["Chủ Nhật", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy"];

/** "2024-11-23" → "23/11/2024", as Vietnamese readers write dates. */
export function displayDate(isoDay: string): string {
  return isoDay.split("-").reverse().join("/");
}

/** "2024-11-23" → "Thứ Bảy, 23/11/2024": the date line of an article file. */
export function dateLine(isoDay: string): string {
  const [year, month, day] = isoDay.split("-").map(Number) as [number, number, number];
  return `${WEEKDAYS[new Date(Date.UTC(year, month - 1, day)).getUTCDay()]!}, ${displayDate(isoDay)}`;
}
