import { isSystemActor, type AuditActor } from '../repository';

/**
 * One audit log row's values after its id, in column order (at, actor_kind, actor_id, entity, entity_id, action,
 * details). A null actor is the system (as is a SystemActor); any other actor is an advisor.
 */
export function auditValues(
  actor: AuditActor | null,
  entity: string,
  entityId: number,
  action: string,
  details?: unknown,
): unknown[] {
  const advisorId = actor && !isSystemActor(actor) ? actor.advisorId : null;
  return [
    actor?.at ?? new Date().toISOString(),
    advisorId === null ? 'system' : 'advisor',
    advisorId,
    entity,
    entityId,
    action,
    details === undefined ? null : JSON.stringify(details),
  ];
}
