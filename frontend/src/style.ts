// How the graph looks. Shape and fill say what a node is, the border says how it is doing;
// edges are coloured by health and thickened by traffic. The palette matches meshwatch.css.

import type cytoscape from "cytoscape";

export const HEALTH_COLOURS: Record<string, string> = {
  healthy: "#3e8635",
  degraded: "#ec7a08",
  failure: "#c9190b",
  idle: "#a2a9b1",
  unknown: "#6a6e73",
};

// Kiali's shapes, so mesh users read the graph without a legend.
const KIND_STYLE: Record<string, { shape: cytoscape.Css.NodeShape; fill: string }> = {
  workload: { shape: "ellipse", fill: "#e7f1fa" },
  service: { shape: "triangle", fill: "#f3e8fd" },
  app: { shape: "round-rectangle", fill: "#e9f5e2" },
  unknown: { shape: "diamond", fill: "#f0f0f0" },
};

const THEME_TEXT = {
  light: { node: "#151515", edge: "#3c3f42", edgeBg: "#ffffff" },
  dark: { node: "#e6e8eb", edge: "#c9ccd1", edgeBg: "#1b1d21" },
};

export function stylesheet(theme: "light" | "dark" = "light"): cytoscape.StylesheetJson {
  const text = THEME_TEXT[theme];
  const sheet: cytoscape.StylesheetJson = [
    {
      selector: "node",
      style: {
        width: 30,
        height: 30,
        "background-color": KIND_STYLE.unknown?.fill ?? "#f0f0f0",
        "border-width": 3,
        "border-color": HEALTH_COLOURS.unknown ?? "#6a6e73",
        label: "data(label)",
        "text-wrap": "wrap",
        "text-max-width": "160px",
        "text-valign": "bottom",
        "text-margin-y": 4,
        "font-size": 11,
        "font-family": "system-ui, sans-serif",
        color: text.node,
        "line-height": 1.25,
        "min-zoomed-font-size": 6, // unreadable labels cost paint time on big graphs
      },
    },
    { selector: "node[?outside]", style: { opacity: 0.45 } },
    { selector: 'node[health = "idle"]', style: { "border-style": "dashed" } },
    {
      selector: "edge",
      style: {
        width: "data(width)",
        "curve-style": "bezier",
        "target-arrow-shape": "triangle",
        "arrow-scale": 0.8,
        "line-color": HEALTH_COLOURS.unknown ?? "#6a6e73",
        "target-arrow-color": HEALTH_COLOURS.unknown ?? "#6a6e73",
        label: "data(label)",
        "font-size": 9,
        "font-family": "system-ui, sans-serif",
        color: text.edge,
        "text-background-color": text.edgeBg,
        "text-background-opacity": 0.85,
        "text-background-padding": "1px",
        "min-zoomed-font-size": 6,
      },
    },
    { selector: 'edge[health = "idle"]', style: { "line-style": "dashed" } },
    { selector: ".mw-hidden", style: { display: "none" } },
    { selector: ".mw-dimmed", style: { opacity: 0.2 } },
    { selector: "node.mw-found", style: { "overlay-color": "#f0ab00", "overlay-opacity": 0.35, "overlay-padding": 8 } },
    { selector: "edge.mw-found", style: { "overlay-color": "#f0ab00", "overlay-opacity": 0.35, "overlay-padding": 4 } },
    { selector: ":selected", style: { "overlay-color": "#0066cc", "overlay-opacity": 0.18, "overlay-padding": 6 } },
  ];
  for (const [kind, { shape, fill }] of Object.entries(KIND_STYLE)) {
    sheet.push({ selector: `node[kind = "${kind}"]`, style: { shape, "background-color": fill } });
  }
  for (const [health, colour] of Object.entries(HEALTH_COLOURS)) {
    sheet.push({ selector: `node[health = "${health}"]`, style: { "border-color": colour } });
    sheet.push({
      selector: `edge[health = "${health}"]`,
      style: { "line-color": colour, "target-arrow-color": colour },
    });
  }
  return sheet;
}
