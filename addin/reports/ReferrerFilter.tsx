import { Button, Text, makeStyles, tokens } from '@fluentui/react-components';
import type { ApiClient } from '../api/client';
import { ContactSearch } from '../people/ContactSearch';
import { PeoplePicker } from '../people/PeoplePicker';

/** The referrer the funnel is narrowed to: an advisor or a contact, or none. */
export type ReferrerFilterValue = { kind: 'advisor' | 'contact'; id: number; name: string } | null;

/** The funnel query's referrer parameters for the value (none when no referrer is chosen). */
export function referrerQuery(value: ReferrerFilterValue): { referrerAdvisorId?: number; referrerContactId?: number } {
  if (!value) return {};
  return value.kind === 'advisor' ? { referrerAdvisorId: value.id } : { referrerContactId: value.id };
}

const useStyles = makeStyles({
  root: {
    gridColumn: '1 / -1',
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    margin: 0,
    padding: 0,
    border: 'none',
    minWidth: 0,
  },
  searches: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(180px, 1fr))',
    gap: tokens.spacingVerticalS,
  },
  chosen: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: tokens.spacingHorizontalS },
});

/** "Referred by" for the reports: search an advisor or a contact; clearing it removes the filter. */
export function ReferrerFilter({
  api,
  value,
  onChange,
}: {
  api: ApiClient;
  value: ReferrerFilterValue;
  onChange: (value: ReferrerFilterValue) => void;
}) {
  const styles = useStyles();
  return (
    <fieldset className={styles.root}>
      <legend>
        <Text size={300}>Referred by</Text>
      </legend>
      {value ? (
        <div className={styles.chosen}>
          <Text>
            {value.kind === 'advisor' ? 'Advisor' : 'Contact'} {value.name}
          </Text>
          <Button size="small" onClick={() => onChange(null)}>
            Clear referrer
          </Button>
        </div>
      ) : (
        <div className={styles.searches}>
          <PeoplePicker
            api={api}
            label="Referring advisor"
            single
            selected={[]}
            onChange={([advisor]) => {
              if (advisor) onChange({ kind: 'advisor', id: advisor.id, name: advisor.label });
            }}
          />
          <ContactSearch
            api={api}
            label="Referring contact"
            onPick={(contact) => onChange({ kind: 'contact', id: contact.id, name: contact.name })}
          />
        </div>
      )}
    </fieldset>
  );
}
