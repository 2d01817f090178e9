import { makeStyles, tokens } from '@fluentui/react-components';

/** The look of the call and task forms: a panel under the opportunity's actions, or in a timeline entry. */
export const useFormStyles = makeStyles({
  form: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    padding: tokens.spacingHorizontalM,
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground1,
  },
  buttons: { display: 'flex', gap: tokens.spacingHorizontalS },
});
