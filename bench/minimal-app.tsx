// The smallest React + Fluent UI v9 task pane: the baseline the real pane's bundle size is compared with.
import { createRoot } from 'react-dom/client';
import { Button, FluentProvider, Text, webLightTheme } from '@fluentui/react-components';

createRoot(document.getElementById('root')!).render(
  <FluentProvider theme={webLightTheme}>
    <Text>Hello from a minimal Fluent pane</Text>
    <Button appearance="primary">OK</Button>
  </FluentProvider>,
);
