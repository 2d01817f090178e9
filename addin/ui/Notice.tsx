import { Button, MessageBar, MessageBarActions, MessageBarBody } from '@fluentui/react-components';

export interface NoticeProps {
  intent: 'success' | 'warning' | 'error' | 'info';
  children: React.ReactNode;
  action?: { label: string; onClick: () => void };
}

/** A plain-language status line (announced to screen readers). */
export function Notice({ intent, children, action }: NoticeProps) {
  return (
    <MessageBar intent={intent} role={intent === 'error' ? 'alert' : 'status'} layout="multiline">
      <MessageBarBody>{children}</MessageBarBody>
      {action && (
        <MessageBarActions>
          <Button size="small" onClick={action.onClick}>
            {action.label}
          </Button>
        </MessageBarActions>
      )}
    </MessageBar>
  );
}
