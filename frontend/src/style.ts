// How the graph looks. Shape and fill say what a node is, the border says how it is doing;
// edges are coloured by health and thickened by traffic. The palette matches meshwatch.css.
//
// Speed at 2,000 nodes / 5,000 edges: every rule matches a class (`k-workload`, `h-failure`)
// that graph.ts sets once per element, never a function of the element, so a restyle is a
// table lookup; the only mapped values are the edge width and the labels. Labels of a large
// graph are drawn only when zoomed in far enough to read them, or for the elements under the
// user's eye (hovered, selected, found): measuring 7,000 labels nobody can read cost about as
// much as the rest of the first paint.

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
  light: { node: "#151515", edge: "#3c3f42", edgeBg: "#ffffff", group: "#4f5255", groupFill: "#8a8d90" },
  dark: { node: "#e6e8eb", edge: "#c9ccd1", edgeBg: "#1b1d21", group: "#c9ccd1", groupFill: "#c9ccd1" },
};

/** What varies between stylesheets besides the theme. */
export interface StyleOptions {
  /** Every node and edge carries its label (small graphs, or a large one zoomed in). */
  labels: boolean;
  /** Straight edges: bezier control points for 5,000 edges cost a third of a paint. */
  large: boolean;
}

const SMALL: StyleOptions = { labels: true, large: false };
const ARROW: cytoscape.Css.ArrowShape = "triangle";

function nodeRules(text: (typeof THEME_TEXT)["light"], options: StyleOptions): cytoscape.StylesheetJson {
  const label: cytoscape.Css.Node = {
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
  };
  return [
    {
      selector: "node",
      style: {
        width: 30,
        height: 30,
        "background-color": KIND_STYLE.unknown?.fill ?? "#f0f0f0",
        "border-width": 3,
        "border-color": HEALTH_COLOURS.unknown ?? "#6a6e73",
        ...(options.labels ? label : {}),
      },
    },
    ...(options.labels ? [] : [{ selector: "node.mw-near, node:selected, node.mw-found", style: label }]),
    { selector: "node.outside", style: { opacity: 0.45 } },
    { selector: "node.h-idle", style: { "border-style": "dashed" } },
    {
      // A namespace box (grouping on): it follows its children, so it has no size of its own.
      selector: "node.mw-group",
      style: {
        shape: "round-rectangle",
        label: "data(label)",
        "background-color": text.groupFill,
        "background-opacity": 0.07,
        "border-width": 1,
        "border-style": "dashed",
        "border-color": text.groupFill,
        padding: "24px",
        "text-valign": "top",
        "text-halign": "center",
        "text-margin-y": -4,
        "text-wrap": "none",
        "font-size": 16,
        "font-weight": "bold",
        color: text.group,
        "min-zoomed-font-size": 3, // a namespace's name stays readable further out than a node's
      },
    },
  ];
}

function edgeRules(text: (typeof THEME_TEXT)["light"], options: StyleOptions): cytoscape.StylesheetJson {
  const label: cytoscape.Css.Edge = {
    label: "data(label)",
    "font-size": 9,
    "font-family": "system-ui, sans-serif",
    color: text.edge,
    "text-background-color": text.edgeBg,
    "text-background-opacity": 0.85,
    "text-background-padding": "1px",
    "min-zoomed-font-size": 6,
  };
  return [
    {
      selector: "edge",
      style: {
        width: "data(width)",
        "curve-style": options.large ? "straight" : "bezier",
        // Zoomed out on a large graph an arrowhead is a pixel or two: not drawn, like labels.
        "target-arrow-shape": options.labels ? "triangle" : "none",
        "arrow-scale": 0.8,
        "line-color": HEALTH_COLOURS.unknown ?? "#6a6e73",
        "target-arrow-color": HEALTH_COLOURS.unknown ?? "#6a6e73",
        ...(options.labels ? label : {}),
      },
    },
    // The edges of the hovered or selected node, a selected edge and found edges always say
    // their numbers: that is where the user is looking (graph.ts keeps those labels current).
    ...(options.labels
      ? []
      : [{ selector: "edge.mw-near, edge:selected, edge.mw-found", style: { ...label, "target-arrow-shape": ARROW } }]),
    { selector: "edge.h-idle", style: { "line-style": "dashed" } },
  ];
}

export function stylesheet(theme: "light" | "dark" = "light", options: StyleOptions = SMALL): cytoscape.StylesheetJson {
  const text = THEME_TEXT[theme];
  const sheet: cytoscape.StylesheetJson = [...nodeRules(text, options), ...edgeRules(text, options)];
  for (const [kind, { shape, fill }] of Object.entries(KIND_STYLE)) {
    sheet.push({ selector: `node.k-${kind}`, style: { shape, "background-color": fill } });
  }
  for (const [health, colour] of Object.entries(HEALTH_COLOURS)) {
    sheet.push({ selector: `node.h-${health}`, style: { "border-color": colour } });
    sheet.push({ selector: `edge.h-${health}`, style: { "line-color": colour, "target-arrow-color": colour } });
  }
  sheet.push(
    { selector: ".mw-hidden", style: { display: "none" } },
    { selector: ".mw-dimmed", style: { opacity: 0.2 } },
    { selector: "node.mw-found", style: { "overlay-color": "#f0ab00", "overlay-opacity": 0.35, "overlay-padding": 8 } },
    { selector: "edge.mw-found", style: { "overlay-color": "#f0ab00", "overlay-opacity": 0.35, "overlay-padding": 4 } },
    { selector: ":selected", style: { "overlay-color": "#0066cc", "overlay-opacity": 0.18, "overlay-padding": 6 } },
  );
  return sheet;
}
