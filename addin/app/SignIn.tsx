import { useState } from 'react';
import { Button, Text, makeStyles, tokens } from '@fluentui/react-components';
import { FormField } from '../ui/FormField';
import { TextInput } from '../ui/inputs';
import type { Session } from '../auth/session';
import { Notice } from '../ui/Notice';
import { useAction } from '../ui/useAction';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, padding: tokens.spacingHorizontalL },
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
});

/** Sign in with Microsoft (when configured) or with a personal access token pasted once. */
export function SignIn({ session, reason }: { session: Session; reason?: string }) {
  const styles = useStyles();
  const [token, setToken] = useState('');
  const { busy, error, run } = useAction();

  /** A sign-in answers with what went wrong, in words, or null. */
  const signIn = (attempt: () => Promise<string | null>) =>
    run(async () => {
      const problem = await attempt();
      if (problem) throw new Error(problem);
    });
  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    void signIn(() => session.signInWithToken(token));
  };
  const microsoft = () => signIn(() => session.signInWithMicrosoft());

  return (
    <main className={styles.root} aria-labelledby="sign-in-title">
      <Text as="h1" size={500} weight="semibold" id="sign-in-title">
        Sign in to Regarding
      </Text>
      {reason && (
        <Notice
          intent="warning"
          action={session.hasUncheckedToken ? { label: 'Try again', onClick: () => void session.start() } : undefined}
        >
          {reason}
        </Notice>
      )}
      {session.canUseMicrosoft && (
        <Button appearance="primary" onClick={() => void microsoft()} disabled={busy}>
          Sign in with Microsoft
        </Button>
      )}
      {session.canUseToken && (
        <form className={styles.form} onSubmit={submit}>
          <FormField
            label="Personal access token"
            hint="Paste the token your administrator gave you (it starts with rgd_). You only do this once."
            error={error?.text}
          >
            <TextInput
              type="password"
              value={token}
              onChange={(event) => setToken(event.target.value)}
              autoComplete="off"
              required
            />
          </FormField>
          <Button
            type="submit"
            appearance={session.canUseMicrosoft ? 'secondary' : 'primary'}
            disabled={busy || !token}
          >
            Sign in
          </Button>
        </form>
      )}
    </main>
  );
}
