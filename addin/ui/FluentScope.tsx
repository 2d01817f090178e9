import { useContext, type ComponentType } from 'react';
import { FluentProvider, makeStyles } from '@fluentui/react-components';
import { ThemeContext } from './theme-context';

// No box of its own and no background: the view lays out and paints as if the pane's root were its parent.
const useStyles = makeStyles({ scope: { display: 'contents', backgroundColor: 'transparent' } });

/**
 * A view inside Fluent's provider (portals themed, keyboard focus marked). Loaded with the views that use
 * Fluent's components, so the first view ships without it (see lazy-view.ts).
 */
export function inFluent<P extends object>(View: ComponentType<P>): ComponentType<P> {
  return function Scoped(props: P) {
    const styles = useStyles();
    const theme = useContext(ThemeContext);
    return (
      <FluentProvider theme={theme} className={styles.scope}>
        <View {...props} />
      </FluentProvider>
    );
  };
}
