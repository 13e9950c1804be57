/**
 * Row types of the public schema, in the shape `supabase gen types typescript` emits, so
 * `createClient<Database>()` type-checks queries. Keep in step with supabase/migrations.
 */
export type Json = string | number | boolean | null | { [key: string]: Json | undefined } | Json[];

export type ConversationKind = 'direct' | 'group' | 'meeting';
export type MemberRole = 'owner' | 'member';
export type MeetingStatus = 'scheduled' | 'live' | 'ended';
export type ParticipantRole = 'host' | 'participant';

export interface ProfileRow {
  id: string;
  display_name: string;
  avatar_url: string | null;
  /** The user agrees to be seen and contacted by any signed-in user (support agents). */
  open_to_contact: boolean;
  created_at: string;
  updated_at: string;
}

export interface ConversationRow {
  id: string;
  kind: ConversationKind;
  title: string | null;
  external_ref: string | null;
  meeting_id: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
  last_message_at: string | null;
  last_message_preview: string | null;
}

export interface ConversationMemberRow {
  conversation_id: string;
  user_id: string;
  role: MemberRole;
  joined_at: string;
  last_read_at: string | null;
  /** Deprecated, always 0: the unread count comes from `my_conversations()`. */
  unread_count: number;
}

/** One row of `my_conversations()`: a conversation of the caller with their read state. */
export interface MyConversationRow {
  id: string;
  kind: ConversationKind;
  title: string | null;
  external_ref: string | null;
  meeting_id: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
  last_message_at: string | null;
  last_message_preview: string | null;
  role: MemberRole;
  joined_at: string;
  last_read_at: string | null;
  /** Live messages from others after `last_read_at` (or joining). */
  unread_count: number;
}

export interface MessageRow {
  id: string;
  conversation_id: string;
  sender_id: string;
  body: string;
  reply_to: string | null;
  created_at: string;
  edited_at: string | null;
  deleted_at: string | null;
  /**
   * Members mentioned by @name, validated by the database at send, dropped by an edit that removes
   * the @name. Always present in rows read back; optional so rows built before sending (drafts, the
   * outbox) need not name it.
   */
  mentions?: string[];
}

export interface MessageReactionRow {
  message_id: string;
  user_id: string;
  emoji: string;
  created_at: string;
}

export interface MeetingRow {
  id: string;
  title: string;
  host_id: string;
  status: MeetingStatus;
  scheduled_for: string | null;
  started_at: string | null;
  ended_at: string | null;
  created_at: string;
  updated_at: string;
  /** Whether participants other than the host may create the meeting's chat. */
  participants_open_chat: boolean;
}

/** A participant's self-reported connection (meeting_participants.connection_quality). */
export type ConnectionQuality = 'good' | 'poor';

export interface MeetingParticipantRow {
  meeting_id: string;
  user_id: string;
  role: ParticipantRole;
  invited_at: string;
  joined_at: string | null;
  left_at: string | null;
  is_muted: boolean;
  is_video_on: boolean;
  is_screen_sharing: boolean;
  is_hand_raised: boolean;
  is_away: boolean;
  updated_at: string;
  /** When the hand was raised (the database's clock), null while it is down. */
  hand_raised_at: string | null;
  /** The participant's own measured report; null when not reported. */
  connection_quality: ConnectionQuality | null;
}

/** Per-minute limits by action ('message', 'edit', 'reaction', 'typing'); service_role only. */
export interface RateLimitRow {
  action: string;
  max_per_minute: number;
}

/** Bookkeeping of the rate limiter; service_role only. */
export interface RateLimitCounterRow {
  user_id: string;
  action: string;
  window_start: string;
  hits: number;
  previous_hits: number;
}

export type OrganizationRole = 'member' | 'admin';

export interface OrganizationRow {
  id: string;
  name: string;
  created_at: string;
  updated_at: string;
}

export interface OrganizationMemberRow {
  organization_id: string;
  user_id: string;
  role: OrganizationRole;
  joined_at: string;
}

/** A file (storage bucket `attachments`) a message carries; name, type and size come from the stored object. */
export interface MessageAttachmentRow {
  id: string;
  message_id: string;
  conversation_id: string;
  bucket_id: string;
  /** `<conversation_id>/<message_id>/<file name>` in the bucket. */
  object_name: string;
  file_name: string;
  mime_type: string;
  size_bytes: number;
  uploaded_by: string;
  created_at: string;
}

type Table<Row, Required extends keyof Row> = {
  Row: Row;
  Insert: Pick<Row, Required> & Partial<Omit<Row, Required>>;
  Update: Partial<Row>;
  Relationships: [];
};

export type Database = {
  public: {
    Tables: {
      profiles: Table<ProfileRow, 'id' | 'display_name'>;
      conversations: Table<ConversationRow, 'kind'>;
      conversation_members: Table<ConversationMemberRow, 'conversation_id' | 'user_id'>;
      messages: Table<MessageRow, 'conversation_id' | 'body'>;
      message_reactions: Table<MessageReactionRow, 'message_id' | 'emoji'>;
      meetings: Table<MeetingRow, 'title'>;
      meeting_participants: Table<MeetingParticipantRow, 'meeting_id' | 'user_id'>;
      rate_limits: Table<RateLimitRow, 'action' | 'max_per_minute'>;
      rate_limit_counters: Table<RateLimitCounterRow, 'user_id' | 'action' | 'window_start' | 'hits'>;
      organizations: Table<OrganizationRow, 'name'>;
      organization_members: Table<OrganizationMemberRow, 'organization_id' | 'user_id'>;
      message_attachments: Table<MessageAttachmentRow, 'message_id' | 'object_name'>;
    };
    Views: { [_ in never]: never };
    Functions: {
      start_direct_conversation: { Args: { other_user_id: string }; Returns: ConversationRow };
      create_group_conversation: { Args: { title: string; member_ids: string[] }; Returns: ConversationRow };
      get_or_create_conversation: {
        Args: { external_ref: string; member_ids?: string[]; title?: string | null; kind?: ConversationKind };
        Returns: ConversationRow;
      };
      mark_conversation_read: { Args: { conversation_id: string }; Returns: undefined };
      my_conversations: { Args: { conversation_id?: string | null }; Returns: MyConversationRow[] };
      join_meeting: { Args: { meeting_id: string }; Returns: MeetingParticipantRow };
      leave_meeting: { Args: { meeting_id: string }; Returns: undefined };
      update_meeting_state: {
        Args: {
          meeting_id: string;
          is_muted?: boolean | null;
          is_video_on?: boolean | null;
          is_screen_sharing?: boolean | null;
          is_hand_raised?: boolean | null;
          is_away?: boolean | null;
        };
        Returns: MeetingParticipantRow;
      };
      invite_to_meeting: { Args: { meeting_id: string; user_ids: string[] }; Returns: undefined };
      send_typing: { Args: { conversation_id: string; is_typing?: boolean }; Returns: undefined };
      can_reach: { Args: { target: string }; Returns: boolean };
      conversation_list: {
        Args: {
          search?: string | null;
          before_activity?: string | null;
          before_id?: string | null;
          max_rows?: number;
          conversation_ids?: string[] | null;
        };
        Returns: ConversationListRow[];
      };
      open_meeting_conversation: { Args: { meeting_id: string }; Returns: ConversationRow };
      send_meeting_reaction: { Args: { meeting_id: string; reaction: string }; Returns: undefined };
      my_unread_mentions: {
        Args: { conversation_id?: string | null };
        Returns: { conversation_id: string; unread_mentions: number }[];
      };
      lower_hand: { Args: { meeting_id: string; user_id: string }; Returns: MeetingParticipantRow };
      start_meeting: { Args: { meeting_id: string }; Returns: MeetingRow };
      end_meeting: { Args: { meeting_id: string }; Returns: MeetingRow };
      remove_participant: { Args: { meeting_id: string; user_id: string }; Returns: undefined };
      attachment_limits: {
        Args: { [_: string]: never };
        Returns: { file_size_limit: number | null; allowed_mime_types: string[] | null }[];
      };
      report_connection_quality: {
        Args: { meeting_id: string; quality: ConnectionQuality };
        Returns: MeetingParticipantRow;
      };
    };
    Enums: { [_ in never]: never };
    CompositeTypes: { [_ in never]: never };
  };
};

/** One row of `conversation_list()`: a page of the caller's conversations for the list element. */
export interface ConversationListRow {
  id: string;
  kind: ConversationKind;
  title: string | null;
  /** The other member of a direct chat; null for groups and meetings. */
  other_user_id: string | null;
  other_display_name: string | null;
  other_avatar_url: string | null;
  /** `last_message_at`, or `created_at` before the first message: the list's order. */
  activity_at: string;
  created_at: string;
  last_message_at: string | null;
  last_message_preview: string | null;
  last_read_at: string | null;
  unread_count: number;
}
