# English, for users whose Telegram language is English. Article content stays Vietnamese.
welcome =
    👋 Hello! I am <b>Hỏi báo</b> ("ask the paper"): ask me about newspaper articles and I answer with the exact passage, its interview question, who said it and a link to the source.

    I know { $articles ->
        [one] one article
       *[other] { $articles } articles
    }. The latest:
    📰 <b>{ $title }</b> ({ $date })

    Type a question, for example: <i>{ $example }</i>
    Or pick a question below.
help =
    <b>How to use Hỏi báo</b>
    • In a private chat: type any question, in Vietnamese (with or without tone marks) or English.
    • In groups: <code>/ask question</code>, mention me, or reply to one of my messages.
    • In any chat: type <code>@{ $bot } keywords</code> to share a quoted passage.

    /start – start again, with the latest article
    /questions – the interview's questions
    /article – about the article
    /ask – ask a question
    /subscribe, /unsubscribe – new-article alerts for this chat (admins, in groups)
    /status – whether this chat gets alerts
    /help – this help
not-found =
    🤷 The article does not say anything about “{ $query }”.
    I only answer from the article; you can ask:
not-found-short = 🤷 That is not in the article.
empty-question = What would you like to ask? For example: <code>/ask what are the difficulties?</code>
questions-title = ❓ <b>The interview's questions</b> – pick one to see the answer:
no-questions = This article is not an interview; just type your question.
article-info =
    📰 <b>{ $title }</b>
    { $place }{ $date } · Source: <a href="{ $url }">{ $source }</a>
    { $sections ->
        [0] No interview questions
        [one] 1 interview question
       *[other] { $sections } interview questions
    }, { $passages ->
        [one] 1 passage
       *[other] { $passages } passages
    }.
source-line = { $date } · { $source }
related-heading = 🤔 I am not sure the articles answer this; here is the closest passage
match-position = Match { $index } of { $total }
button-full = 📖 Full answer
button-next = ➡️ Next match
button-questions = ❓ Other questions
button-share = 📤 Share
button-open = 🔎 Open in the bot
button-expired = This button has expired, please ask again.
no-more-matches = No other matches.
passage-not-found = That passage was not found (the article may have been updated).
rate-limited = ⏳ You are sending messages a little fast; wait a few seconds.
error = ⚠️ Something went wrong while answering. Please try again later.
inline-question = Interview question
inline-no-results = No matching passage
cmd-start = Start
cmd-help = How to use the bot
cmd-ask = Ask about the article
cmd-questions = The interview questions
cmd-article = About the article
text-only = I can only read questions typed as text. Type your question, or /help for help.
unknown-command = I do not know the command { $command }. /help lists what I can do; any other text is a question.
subscribed = 🔔 Subscribed: this chat will get one alert for each new article. Send /unsubscribe to stop.
already-subscribed = 🔔 This chat is already subscribed to new-article alerts.
unsubscribed = 🔕 Unsubscribed from new-article alerts.
not-subscribed = This chat is not subscribed. Send /subscribe to get new-article alerts.
status-subscribed = 🔔 This chat <b>gets</b> new-article alerts.
status-not-subscribed = 🔕 This chat <b>does not get</b> new-article alerts. Send /subscribe to start.
admins-only = Sorry, only the group's admins can change new-article alerts.
alerts-unavailable = New-article alerts are not enabled on this bot.
stats-refused = This command is for the bot's operators only.
stats =
    📊 <b>Statistics</b>
    Articles: { $articles } ({ $passages } passages)
    Subscribed chats: { $subscribers }
    Alerts pending: { $pending } · sent: { $sent } · dropped: { $dropped }
    Last feed check: { $feed }
cmd-subscribe = Get alerts for new articles
cmd-unsubscribe = Stop alerts for new articles
cmd-status = Alert subscription status
cmd-stats = Statistics (operators)
alert-title = 🆕 <b>New article</b> · { $date } · { $source }
alert-read-on = 🔗 <a href="{ $url }">Read on { $source }</a>
button-ask-article = 💬 Ask about this article
