import { useMemo, useState } from 'react';
import { Button, Combobox, Option, Text, makeStyles, tokens } from '@fluentui/react-components';
import type { Me } from '../../shared/schemas/advisors';
import type { ApiClient } from '../api/client';
import { OutcomeNotice } from '../ui/Notice';
import { zoneList, zonesMatching } from '../ui/time-zones';
import { useAction } from '../ui/useAction';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  pick: { display: 'flex', flexWrap: 'wrap', alignItems: 'flex-end', gap: tokens.spacingHorizontalS },
  combobox: { minWidth: 0, maxWidth: '100%' },
});

/**
 * The advisor's own time zone, in which their business days and local dates are counted (the exception
 * rules, the daily digest). The browser's zone is one click away when it differs.
 */
export function TimeZoneSetting({ api, me, onChange }: { api: ApiClient; me: Me; onChange: (me: Me) => void }) {
  const styles = useStyles();
  const browserZone = useMemo(() => Intl.DateTimeFormat().resolvedOptions().timeZone, []);
  const zones = useMemo(() => zoneList(me.timeZone, browserZone), [me.timeZone, browserZone]);
  const [query, setQuery] = useState('');
  const save = useAction();
  const shown = useMemo(() => zonesMatching(zones, query), [zones, query]);

  const choose = (timeZone: string) =>
    void save.run(
      async (signal) => {
        onChange(await api.call('updatePreferences', { body: { timeZone }, signal }));
        setQuery('');
      },
      { done: () => `Your time zone is ${timeZone}.` },
    );

  return (
    <section aria-labelledby="time-zone" className={styles.root}>
      <Text as="h2" size={400} weight="semibold" id="time-zone">
        Time zone
      </Text>
      <Text size={200}>
        Your business days and dates are counted in {me.timeZone}
        {browserZone && browserZone !== me.timeZone ? `; this browser is in ${browserZone}.` : '.'}
      </Text>
      {browserZone && browserZone !== me.timeZone && (
        <Button disabled={save.busy} onClick={() => choose(browserZone)} style={{ alignSelf: 'flex-start' }}>
          Use {browserZone}
        </Button>
      )}
      <div className={styles.pick}>
        <label htmlFor="time-zone-pick">
          <Text size={300}>Another time zone</Text>
        </label>
        <Combobox
          id="time-zone-pick"
          className={styles.combobox}
          freeform
          placeholder="Type a city, e.g. Paris"
          value={query}
          disabled={save.busy}
          onChange={(e) => setQuery(e.target.value)}
          onOptionSelect={(_, data) => {
            if (data.optionValue && data.optionValue !== me.timeZone) choose(data.optionValue);
          }}
        >
          {shown.map((zone) => (
            <Option key={zone} value={zone}>
              {zone}
            </Option>
          ))}
        </Combobox>
      </div>
      <OutcomeNotice outcome={save.outcome} />
    </section>
  );
}
