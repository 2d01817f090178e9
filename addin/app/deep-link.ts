/**
 * Links into the pane, as emails carry them: `/taskpane.html?opportunity=<id>` opens that opportunity,
 * `?view=work|reports|regarding|new` a section. Only these two parameters are read, and only values of the
 * expected shape: anything else is ignored and the pane opens My Work.
 */
export const PANE_PAGE = '/taskpane.html';

export interface DeepLink {
  /** The section asked for (App falls back to My Work for one it does not know). */
  view: string | null;
  /** The opportunity asked for: a positive whole number, else null. */
  opportunity: number | null;
}

const VIEW_NAME = /^[a-z]{1,20}$/;
const ID = /^[1-9]\d{0,14}$/;

export function deepLinkFrom(search: string): DeepLink {
  const params = new URLSearchParams(search);
  const view = params.get('view');
  const id = params.get('opportunity');
  return {
    view: view !== null && VIEW_NAME.test(view) ? view : null,
    opportunity: id !== null && ID.test(id) ? Number(id) : null,
  };
}

/** The pane link (path and query, same origin) for `link`: what a redirect sign-in returns to. */
export function paneLink(link: DeepLink): string {
  const params = new URLSearchParams();
  if (link.opportunity !== null) params.set('opportunity', String(link.opportunity));
  else if (link.view !== null) params.set('view', link.view);
  const query = params.toString();
  return query ? `${PANE_PAGE}?${query}` : PANE_PAGE;
}

/**
 * What a redirect sign-in kept (MSAL's `state`) read back as a link into this pane, or null. The state comes back
 * through the identity provider's redirect, so it is parsed, never followed: only a same-origin pane link counts,
 * and only its `view` and `opportunity` are kept.
 */
export function deepLinkFromState(state: string | undefined | null, origin: string): DeepLink | null {
  if (!state) return null;
  let url: URL;
  try {
    url = new URL(state, origin);
  } catch {
    return null;
  }
  if (url.origin !== origin || url.pathname !== PANE_PAGE) return null;
  return deepLinkFrom(url.search);
}

/**
 * Puts `link` in the address bar without loading the page again, so a reload opens it again. office.js sets
 * `window.history.replaceState` (and pushState) to null on the instance when it loads (its own code, as shipped in
 * @microsoft/office-js): the prototype's method still works.
 */
export function showInAddressBar(link: DeepLink): void {
  try {
    History.prototype.replaceState.call(window.history, null, '', paneLink(link));
  } catch {
    /* the address keeps the redirect page's: the pane still opens the link */
  }
}
