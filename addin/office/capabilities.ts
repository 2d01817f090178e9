import { isMobileOutlook, isSetSupported, outlookMailbox } from './host';

/**
 * What the Outlook the pane runs in can do, so the pane offers only what works there. Each answer
 * needs both the requirement set and the method itself: Outlook on mobile reports Mailbox 1.5 yet
 * has some later methods, and lacks others entirely (outlook-mobile-apis.md).
 */
export interface OutlookCapabilities {
  /** Read a received message's internet headers (getAllInternetHeadersAsync, Mailbox 1.8; not on mobile). */
  readHeaders: boolean;
  /** Set internet headers on a message being composed (internetHeaders, Mailbox 1.8; mobile from 4.2405). */
  writeHeaders: boolean;
  /** Save the item being composed (saveAsync, Mailbox 1.3; not on mobile). */
  saveItem: boolean;
  /** Open a new appointment form (displayNewAppointmentForm; "isn't supported in Outlook on Android or on iOS"). */
  newAppointmentForm: boolean;
  /** The pane can stay open while the selection moves: ItemChanged (Mailbox 1.5); not for appointments, mobile or Outlook.com (pinnable-taskpane.md). */
  pinning: boolean;
  /** Microsoft sign-in through nested app authentication (NestedAppAuth 1.1, checked at run time: enable-nested-app-authentication-in-your-add-in.md). */
  nestedAppAuth: boolean;
  /** The Office dialog API, the fallback sign-in where nested app authentication is missing (DialogApi 1.1). */
  dialog: boolean;
}

const NONE: OutlookCapabilities = {
  readHeaders: false,
  writeHeaders: false,
  saveItem: false,
  newAppointmentForm: false,
  pinning: false,
  nestedAppAuth: false,
  dialog: false,
};

/** Whether `object` has a method `name` (checked without taking the method off its object). */
const has = (object: object | null | undefined, name: string): boolean =>
  typeof (object as Record<string, unknown> | null | undefined)?.[name] === 'function';

/** What the current Outlook (and its current item) can do; nothing outside Outlook. */
export function capabilities(): OutlookCapabilities {
  const mailbox = outlookMailbox();
  if (!mailbox) return NONE;
  const mobile = isMobileOutlook();
  const item = mailbox.item as Partial<Office.MessageRead & Office.MessageCompose & Office.AppointmentCompose> | null;
  const appointment = item?.itemType === (Office.MailboxEnums.ItemType.Appointment as string);
  const accountType = (mailbox.userProfile as Partial<Office.UserProfile>).accountType;
  return {
    readHeaders: !mobile && isSetSupported('Mailbox', '1.8') && has(item, 'getAllInternetHeadersAsync'),
    writeHeaders: has(item?.internetHeaders, 'setAsync'),
    saveItem: !mobile && has(item, 'saveAsync'),
    newAppointmentForm:
      !mobile && (has(mailbox, 'displayNewAppointmentFormAsync') || has(mailbox, 'displayNewAppointmentForm')),
    pinning:
      !mobile &&
      !appointment &&
      accountType !== 'outlookCom' &&
      isSetSupported('Mailbox', '1.5') &&
      has(mailbox, 'addHandlerAsync'),
    nestedAppAuth: isSetSupported('NestedAppAuth', '1.1'),
    dialog: isSetSupported('DialogApi', '1.1'),
  };
}
