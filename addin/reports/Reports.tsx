import { useEffect, useMemo, useState } from 'react';
import { Button, Spinner, Text, makeStyles, tokens } from '@fluentui/react-components';
import type { Advisor, Me } from '../../shared/schemas/advisors';
import type { TeamRef } from '../../shared/schemas/common';
import type { Campaign } from '../../shared/schemas/opportunities';
import type { Funnel, FunnelQuery } from '../../shared/schemas/reports';
import type { ApiClient } from '../api/client';
import { download } from '../api/download';
import { FormField } from '../ui/FormField';
import { formatTime } from '../ui/labels';
import { SelectInput, TextInput } from '../ui/inputs';
import { Notice, OutcomeNotice } from '../ui/Notice';
import { Tabs } from '../ui/Tabs';
import { useAction } from '../ui/useAction';
import { FunnelChart, TimeInStageChart } from './charts';
import { saveFile } from './download';
import { reportFailure } from './failure';
import { ReferrerFilter, referrerQuery, type ReferrerFilterValue } from './ReferrerFilter';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, minWidth: 0 },
  filters: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(130px, 1fr))',
    gap: tokens.spacingVerticalS,
    margin: 0,
    padding: 0,
    border: 'none',
    minWidth: 0,
  },
});

type Scope = 'me' | 'team' | 'all';

/** Where referrals are held up: the funnel and time in stage, filtered, and as a CSV download. */
export function Reports({ api, me }: { api: ApiClient; me: Me }) {
  const styles = useStyles();
  const [scope, setScope] = useState<Scope>(me.role === 'manager' ? 'team' : me.role === 'admin' ? 'all' : 'me');
  const [campaignId, setCampaignId] = useState('');
  const [ownerId, setOwnerId] = useState('');
  const [teamId, setTeamId] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [referrer, setReferrer] = useState<ReferrerFilterValue>(null);
  const [campaigns, setCampaigns] = useState<Campaign[]>([]);
  const [advisors, setAdvisors] = useState<Advisor[]>([]);
  const [allTeams, setAllTeams] = useState<TeamRef[]>([]);
  const [funnel, setFunnel] = useState<Funnel | null>(null);
  const load = useAction();
  const saving = useAction();

  useEffect(() => {
    const controller = new AbortController();
    const signal = controller.signal;
    api.call('listCampaigns', { signal }).then(setCampaigns, () => undefined);
    if (me.role !== 'advisor') {
      api.call('searchAdvisors', { query: { limit: 100 }, signal }).then(
        (page) => setAdvisors(page.items),
        () => undefined,
      );
    }
    if (me.role === 'admin') {
      api.call('searchTeams', { query: { limit: 100 }, signal }).then(
        (page) => setAllTeams(page.items),
        () => undefined,
      );
    }
    return () => controller.abort();
  }, [api, me.role]);

  // A manager picks among their teams' advisors and their own teams; an admin among everyone and every team.
  const teams = me.role === 'admin' ? allTeams : me.teams;
  const owners = useMemo(() => {
    if (scope === 'all') return advisors;
    const mine = new Set(me.teams.map((team) => team.id));
    return advisors.filter((advisor) => advisor.id === me.id || advisor.teams.some((team) => mine.has(team.id)));
  }, [advisors, scope, me]);

  const query = useMemo<FunnelQuery>(
    () => ({
      scope,
      campaignId: campaignId ? Number(campaignId) : undefined,
      ...referrerQuery(referrer),
      ownerId: scope !== 'me' && ownerId ? Number(ownerId) : undefined,
      teamId: scope !== 'me' && teamId ? Number(teamId) : undefined,
      from: from || undefined,
      to: to || undefined,
    }),
    [scope, campaignId, referrer, ownerId, teamId, from, to],
  );

  const { run } = load;
  useEffect(() => {
    const controller = new AbortController();
    void run(async (signal) => setFunnel(await api.call('funnelReport', { query, signal })), {
      signal: controller.signal,
      failure: reportFailure,
    });
    return () => controller.abort();
  }, [api, query, run]);

  const chooseScope = (next: Scope) => {
    setScope(next);
    setOwnerId('');
    setTeamId('');
  };
  const saveCsv = () =>
    void saving.run(
      async (signal) => {
        const file = await download(api, 'funnelCsv', { query, signal });
        saveFile(file.blob, file.filename);
        return file.filename;
      },
      { done: (filename) => `Downloaded ${filename}.`, failure: reportFailure },
    );

  const scopes: { value: Scope; label: string }[] = [
    { value: 'me', label: 'Mine' },
    ...(me.role === 'manager' ? [{ value: 'team' as const, label: 'My team' }] : []),
    ...(me.role === 'admin' ? [{ value: 'all' as const, label: 'Firm' }] : []),
  ];

  return (
    <div className={styles.root}>
      <Text as="h2" size={400} weight="semibold">
        Reports
      </Text>
      {scopes.length > 1 && <Tabs label="Whose opportunities" selected={scope} onSelect={chooseScope} tabs={scopes} />}
      <fieldset className={styles.filters}>
        <legend>
          <Text size={200}>Filters</Text>
        </legend>
        <FormField label="Campaign">
          <SelectInput value={campaignId} onChange={(event) => setCampaignId(event.target.value)}>
            <option value="">Any campaign</option>
            {campaigns.map((campaign) => (
              <option key={campaign.id} value={campaign.id}>
                {campaign.name}
              </option>
            ))}
          </SelectInput>
        </FormField>
        {scope !== 'me' && (
          <FormField label="Owner">
            <SelectInput value={ownerId} onChange={(event) => setOwnerId(event.target.value)}>
              <option value="">Anyone</option>
              {owners.map((advisor) => (
                <option key={advisor.id} value={advisor.id}>
                  {advisor.displayName}
                </option>
              ))}
            </SelectInput>
          </FormField>
        )}
        {scope !== 'me' && teams.length > 0 && (
          <FormField label="Team">
            <SelectInput value={teamId} onChange={(event) => setTeamId(event.target.value)}>
              <option value="">Any team</option>
              {teams.map((team) => (
                <option key={team.id} value={team.id}>
                  {team.name}
                </option>
              ))}
            </SelectInput>
          </FormField>
        )}
        <FormField label="Created from">
          <TextInput type="date" value={from} onChange={(event) => setFrom(event.target.value)} />
        </FormField>
        <FormField label="Created to">
          <TextInput type="date" value={to} onChange={(event) => setTo(event.target.value)} />
        </FormField>
        <ReferrerFilter api={api} value={referrer} onChange={setReferrer} />
      </fieldset>
      {/* Asked for again here: a section left and returned to before the other had loaded was never left (React kept
          it, with this failure), so going back and forth is no sure way to try again. */}
      {load.error && (
        <Notice intent="error" action={{ label: 'Try again', onClick: load.retry }}>
          {load.error.text}
        </Notice>
      )}
      {!funnel && !load.error && <Spinner size="tiny" label="Loading the funnel…" />}
      {funnel && (
        <>
          {/* A firm-wide funnel may be reused for a minute (REPORT_CACHE_SECONDS): say when its data was read. */}
          <Text size={200}>As of {formatTime(funnel.asOf)}</Text>
          <FunnelChart funnel={funnel} />
          <TimeInStageChart funnel={funnel} />
          <Button onClick={saveCsv} disabled={saving.busy} style={{ alignSelf: 'flex-start' }}>
            Download CSV
          </Button>
          <OutcomeNotice outcome={saving.outcome} />
        </>
      )}
    </div>
  );
}
