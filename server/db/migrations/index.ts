import type { Migration } from '../migrate';
import { initial } from './001_initial';
import { searchPrefixes } from './002_search_prefixes';
import { systemActor } from './003_system_actor';
import { activityVersion } from './004_activity_version';
import { rateLimits } from './005_rate_limits';
import { entraTenant } from './006_entra_tenant';
import { teamChanges } from './007_team_changes';
import { activityMailbox } from './008_activity_mailbox';
import { pendingDrafts } from './009_pending_drafts';
import { customersAndReferrer } from './010_customers_and_referrer';
import { callsAndTasks } from './011_calls_and_tasks';
import { opportunityEvents } from './012_opportunity_events';
import { advisorSettings } from './013_advisor_settings';
import { exceptionRules } from './014_exception_rules';
import { alertDeliveries } from './015_alert_deliveries';
import { stageHistory } from './016_stage_history';
import { activityPoints } from './017_activity_points';
import { pointsCountedAt } from './018_points_counted_at';
import { attentionDue } from './019_attention_due';
import { ownerScopedSearch } from './020_owner_scoped_search';
import { reportFacts } from './021_report_facts';
import { funnelFacts } from './022_funnel_facts';
import { attentionRecompute } from './023_attention_recompute';
import { attentionPageOrder } from './024_attention_page_order';
import { reportTotals } from './025_report_totals';
import { searchNewestFirst } from './026_search_newest_first';
import { funnelOwnerVersions } from './027_funnel_owner_versions';
import { funnelTotals } from './028_funnel_totals';
import { reportOwnerVersions } from './029_report_owner_versions';
import { organizationWords } from './030_organization_words';
import { closedSearch } from './031_closed_search';
import { postgresTypeahead } from './032_postgres_typeahead';
import { postgresAttentionFacts } from './033_postgres_attention_facts';

/** Every schema change, in order. Never edit a released migration: add the next one. */
export const migrations: Migration[] = [
  initial,
  searchPrefixes,
  systemActor,
  activityVersion,
  rateLimits,
  entraTenant,
  teamChanges,
  activityMailbox,
  pendingDrafts,
  customersAndReferrer,
  callsAndTasks,
  opportunityEvents,
  advisorSettings,
  exceptionRules,
  alertDeliveries,
  stageHistory,
  activityPoints,
  pointsCountedAt,
  attentionDue,
  ownerScopedSearch,
  reportFacts,
  funnelFacts,
  attentionRecompute,
  attentionPageOrder,
  reportTotals,
  searchNewestFirst,
  funnelOwnerVersions,
  funnelTotals,
  reportOwnerVersions,
  organizationWords,
  closedSearch,
  postgresTypeahead,
  postgresAttentionFacts,
];
