/** A small multi-panel line chart (SVG) of the soak's series; no dependency. */

export interface Series {
  label: string;
  color: string;
  points: { x: number; y: number | null }[];
}

export interface ChartPanel {
  title: string;
  unit: string;
  series: Series[];
}

const WIDTH = 760;
const PANEL_HEIGHT = 170;
const MARGIN = { left: 60, right: 20, top: 28, bottom: 26 };

const escape = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 2.5, 5, 10].find((s) => s * magnitude >= value) ?? 10;
  return step * magnitude;
}

function panelSvg(panel: ChartPanel, top: number, xMax: number, xLabel: string): string {
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
  const ys = panel.series.flatMap((s) => s.points.map((p) => p.y ?? 0));
  const yMax = niceMax(Math.max(0, ...ys));
  const x = (value: number) => MARGIN.left + (value / (xMax || 1)) * plotW;
  const y = (value: number) => top + MARGIN.top + plotH - (value / yMax) * plotH;
  const parts: string[] = [
    `<text x="${MARGIN.left}" y="${top + 18}" font-size="13" font-weight="bold">${escape(panel.title)}</text>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const value = (yMax / 4) * i;
    parts.push(
      `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(value)}" y2="${y(value)}" stroke="#e3e3e3"/>`,
      `<text x="${MARGIN.left - 6}" y="${y(value) + 4}" font-size="10" text-anchor="end">${Number(value.toPrecision(3))} ${escape(panel.unit)}</text>`,
    );
  }
  for (let i = 0; i <= 5; i++) {
    const value = (xMax / 5) * i;
    parts.push(
      `<text x="${x(value)}" y="${top + PANEL_HEIGHT - 8}" font-size="10" text-anchor="middle">${Number(value.toPrecision(3))}${i === 5 ? ` ${escape(xLabel)}` : ""}</text>`,
    );
  }
  panel.series.forEach((series, index) => {
    const points = series.points.filter((p) => p.y !== null);
    parts.push(
      `<polyline fill="none" stroke="${series.color}" stroke-width="1.8" points="${points
        .map((p) => `${x(p.x).toFixed(1)},${y(p.y ?? 0).toFixed(1)}`)
        .join(" ")}"/>`,
      `<text x="${WIDTH - MARGIN.right - 150 * (panel.series.length - index)}" y="${top + 18}" font-size="11" fill="${series.color}">— ${escape(series.label)}</text>`,
    );
  });
  return parts.join("\n");
}

export function chartSvg(title: string, panels: ChartPanel[], xLabel: string): string {
  const xMax = Math.max(
    0,
    ...panels.flatMap((p) => p.series.flatMap((s) => s.points.map((q) => q.x))),
  );
  const height = 30 + panels.length * PANEL_HEIGHT;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${MARGIN.left}" y="20" font-size="15" font-weight="bold">${escape(title)}</text>`,
    ...panels.map((panel, index) => panelSvg(panel, 30 + index * PANEL_HEIGHT, xMax, xLabel)),
    "</svg>",
    "",
  ].join("\n");
}
