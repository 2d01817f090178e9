import { webLightTheme, type Theme } from '@fluentui/react-components';
import { prefersDarkTheme } from '../office/mailbox';

export interface PaneTheme {
  fluent: Theme;
  /** Also tells the browser, so native controls (date pickers, drop-down arrows) match. */
  colorScheme: 'light' | 'dark';
}

/** Outlook's theme for the pane. The dark one, a large table of colors, is fetched only when Outlook is dark. */
export async function officeTheme(): Promise<PaneTheme> {
  if (!prefersDarkTheme()) return { fluent: webLightTheme, colorScheme: 'light' };
  return { fluent: (await import('./dark-theme')).webDarkTheme, colorScheme: 'dark' };
}
