import assert from 'node:assert/strict';
import { webLightTheme } from '@fluentui/react-components';
import { lightTheme } from '../../addin/ui/light-theme';

describe("the pane's light theme (issue 15)", () => {
  it("is Fluent's webLightTheme, token for token (else run `npx tsx addin/build/light-theme.ts`)", () => {
    assert.deepEqual(lightTheme, webLightTheme);
  });
});
