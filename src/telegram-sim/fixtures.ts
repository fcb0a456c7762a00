/**
 * The fixed objects of the simulated Telegram: the bot's getMe answer (one definition for the local
 * chat, the unit harness and the emulator), chat member objects, and the placeholder users Telegram
 * puts in `from` when a chat posts on its own behalf.
 */
import type { ChatMember, User, UserFromGetMe } from "grammy/types";

export type ChatMemberStatus = ChatMember["status"];

export interface BotIdentity {
  id?: number;
  username?: string;
  first_name?: string;
  last_name?: string;
}

/** The bot the local chat and the unit harness run as. */
export const SIMULATED_BOT = { id: 7_000_000_001, first_name: "Hỏi báo", username: "hoibao_bot" } as const;

/** getMe's answer for a bot; `privacyMode` is group privacy (can_read_all_group_messages false). */
export function simulatedBotInfo(bot: BotIdentity = {}, privacyMode = true): UserFromGetMe {
  return {
    id: bot.id ?? SIMULATED_BOT.id,
    is_bot: true,
    first_name: bot.first_name ?? SIMULATED_BOT.first_name,
    ...(bot.last_name !== undefined && { last_name: bot.last_name }),
    username: bot.username ?? SIMULATED_BOT.username,
    can_join_groups: true,
    can_read_all_group_messages: !privacyMode,
    supports_inline_queries: true,
    can_connect_to_business: false,
    has_main_web_app: false,
    has_topics_enabled: false,
    allows_users_to_create_topics: false,
    can_manage_bots: false,
    supports_join_request_queries: false,
  };
}

/** The placeholder users Telegram puts in `from` when a chat posts on its own behalf. */
export const GROUP_ANONYMOUS_BOT: User = {
  id: 1087968824,
  is_bot: true,
  first_name: "Group",
  username: "GroupAnonymousBot",
};
export const CHANNEL_BOT: User = { id: 136817688, is_bot: true, first_name: "Channel", username: "Channel_Bot" };


export function chatMember(user: User, status: ChatMemberStatus): ChatMember {
  switch (status) {
    case "creator":
      return { status, user, is_anonymous: false } as ChatMember;
    case "administrator":
      return {
        status,
        user,
        can_be_edited: false,
        is_anonymous: false,
        can_manage_chat: true,
        can_delete_messages: true,
        can_manage_video_chats: true,
        can_restrict_members: true,
        can_promote_members: false,
        can_change_info: true,
        can_invite_users: true,
        can_post_stories: false,
        can_edit_stories: false,
        can_delete_stories: false,
        can_pin_messages: true,
        can_manage_topics: false,
      } as ChatMember;
    case "restricted":
      return {
        status,
        user,
        is_member: true,
        until_date: 0,
        can_send_messages: false,
        can_send_audios: false,
        can_send_documents: false,
        can_send_photos: false,
        can_send_videos: false,
        can_send_video_notes: false,
        can_send_voice_notes: false,
        can_send_polls: false,
        can_send_other_messages: false,
        can_add_web_page_previews: false,
        can_change_info: false,
        can_invite_users: false,
        can_pin_messages: false,
        can_manage_topics: false,
      } as ChatMember;
    case "kicked":
      return { status, user, until_date: 0 } as ChatMember;
    default:
      return { status, user } as ChatMember;
  }
}

