// Light and dark themes: the system's preference unless the user picked one with the toggle
// (remembered in localStorage). The choice is `data-theme` on <html>, which meshwatch.css reads;
// views drawing on canvas ask `currentTheme()` and listen for "meshwatch:theme".

export type Theme = "light" | "dark";
const KEY = "meshwatch.theme";

function stored(): Theme | null {
  try {
    const value = window.localStorage.getItem(KEY);
    return value === "light" || value === "dark" ? value : null;
  } catch {
    return null; // storage disabled: follow the system
  }
}

function system(): Theme {
  return window.matchMedia?.("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

export function currentTheme(): Theme {
  return document.documentElement.dataset.theme === "dark" ? "dark" : "light";
}

function apply(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
  window.dispatchEvent(new CustomEvent("meshwatch:theme", { detail: theme }));
}

/** Applies the theme now and wires the toggle button (if the page has one). */
export function initTheme(toggle: HTMLButtonElement | null): void {
  apply(stored() ?? system());
  window.matchMedia?.("(prefers-color-scheme: dark)").addEventListener("change", () => {
    if (!stored()) apply(system());
  });
  if (!toggle) return;
  const label = () => {
    const next = currentTheme() === "dark" ? "light" : "dark";
    toggle.textContent = next === "dark" ? "☾" : "☀";
    toggle.title = `Switch to the ${next} theme`;
    toggle.setAttribute("aria-label", toggle.title);
  };
  label();
  toggle.addEventListener("click", () => {
    const next: Theme = currentTheme() === "dark" ? "light" : "dark";
    try {
      window.localStorage.setItem(KEY, next);
    } catch {
      /* not remembered, still applied */
    }
    apply(next);
    label();
  });
}
