import type { ReactElement } from "react";

/** Small line icons (24×24 grid, currentColor), so no glyph depends on installed fonts. */

const PATHS = {
  overview: "M4 4h7v7H4zM13 4h7v4h-7zM13 10h7v10h-7zM4 13h7v7H4z",
  runs: "M6 4l13 8-13 8z",
  events: "M13 2L4 14h7l-1 8 9-12h-7z",
  functions: "M15 4h-2a3 3 0 0 0-3 3v13M7 11h8",
  apps: "M4 5h16v10H4zM8 19h8M12 15v4",
  copy: "M9 9h10v11H9zM5 15V4h10",
  check: "M5 12l4 4L19 6",
  close: "M6 6l12 12M18 6L6 18",
  search: "M11 18a7 7 0 1 0 0-14 7 7 0 0 0 0 14zM20 20l-4-4",
} as const;

export type IconName = keyof typeof PATHS;

export function Icon({ name, size = 16 }: { name: IconName; size?: number }): ReactElement {
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={2}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      <path d={PATHS[name]} />
    </svg>
  );
}
