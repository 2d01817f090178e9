// Its own module so that webpack puts the dark theme in a chunk of its own (see theme.ts).
export { webDarkTheme } from '@fluentui/react-components';
