# Vietnamese (default). Variables arrive already escaped for HTML where they are user or article text.
welcome =
    👋 Xin chào! Tôi là <b>Hỏi báo</b>: hỏi tôi về các bài báo, tôi trả lời bằng đúng đoạn trích trong bài, kèm câu hỏi phỏng vấn, người nói và đường dẫn nguồn.

    Tôi đang có { $articles } bài báo. Bài mới nhất:
    📰 <b>{ $title }</b> ({ $date })

    Hãy gõ câu hỏi, ví dụ: <i>{ $example }</i>
    Hoặc chọn một câu hỏi bên dưới.
help =
    <b>Cách dùng Hỏi báo</b>
    • Trong trò chuyện riêng: gõ câu hỏi bất kỳ, có dấu hoặc không dấu, tiếng Việt hoặc tiếng Anh.
    • Trong nhóm: <code>/ask câu hỏi</code>, nhắc tên tôi, hoặc trả lời tin nhắn của tôi.
    • Ở bất kỳ cuộc trò chuyện nào: gõ <code>@{ $bot } từ khóa</code> để chia sẻ một đoạn trích.

    /start – bắt đầu lại, với bài báo mới nhất
    /questions – các câu hỏi của bài phỏng vấn
    /article – thông tin bài báo
    /ask – đặt câu hỏi
    /subscribe, /unsubscribe – nhận hoặc hủy thông báo bài mới (trong nhóm: quản trị viên)
    /status – cuộc trò chuyện này có nhận thông báo không
    /help – hướng dẫn
not-found =
    🤷 Bài báo không nói về “{ $query }”.
    Tôi chỉ trả lời từ nội dung bài; bạn có thể hỏi:
not-found-short = 🤷 Bài báo không nói về điều này.
empty-question = Bạn muốn hỏi gì? Ví dụ: <code>/ask những khó khăn là gì?</code>
questions-title = ❓ <b>Các câu hỏi của bài phỏng vấn</b> – chọn một câu để xem câu trả lời:
no-questions = Bài báo này không phải bài phỏng vấn; hãy gõ câu hỏi của bạn.
article-info =
    📰 <b>{ $title }</b>
    { $place }Ngày { $date } · Nguồn: <a href="{ $url }">{ $source }</a>
    { $sections ->
        [0] Không phải bài phỏng vấn
       *[other] { $sections } câu hỏi phỏng vấn
    }, { $passages } đoạn.
source-line = { $date } · { $source }
related-heading = 🤔 Tôi không chắc bài báo trả lời đúng câu này; đây là đoạn gần nhất
match-position = Kết quả { $index }/{ $total }
button-full = 📖 Toàn bộ câu trả lời
button-next = ➡️ Kết quả tiếp theo
button-questions = ❓ Câu hỏi khác
button-share = 📤 Chia sẻ
button-open = 🔎 Xem trong bot
button-expired = Nút này đã hết hạn, bạn hãy hỏi lại nhé.
no-more-matches = Không còn kết quả nào khác.
passage-not-found = Không tìm thấy đoạn trích này (có thể bài đã được cập nhật).
rate-limited = ⏳ Bạn gửi hơi nhanh, đợi vài giây rồi hỏi tiếp nhé.
error = ⚠️ Có lỗi khi trả lời. Bạn thử lại sau nhé.
inline-question = Câu hỏi phỏng vấn
inline-no-results = Không có đoạn nào khớp
cmd-start = Bắt đầu
cmd-help = Hướng dẫn sử dụng
cmd-ask = Đặt câu hỏi về bài báo
cmd-questions = Các câu hỏi phỏng vấn
cmd-article = Thông tin bài báo
unknown-command = Tôi không biết lệnh { $command }. Gõ /help để xem các lệnh; tin nhắn khác là câu hỏi.
text-only = Tôi chỉ đọc được câu hỏi bằng chữ. Gõ câu hỏi của bạn, hoặc /help để xem hướng dẫn.
subscribed = 🔔 Đã đăng ký: cuộc trò chuyện này sẽ nhận một thông báo cho mỗi bài báo mới. Gõ /unsubscribe để hủy.
already-subscribed = 🔔 Cuộc trò chuyện này đã đăng ký nhận tin bài mới rồi.
unsubscribed = 🔕 Đã hủy đăng ký nhận tin bài mới.
not-subscribed = Cuộc trò chuyện này chưa đăng ký nhận tin. Gõ /subscribe để đăng ký.
status-subscribed = 🔔 Cuộc trò chuyện này <b>đang nhận</b> thông báo bài báo mới.
status-not-subscribed = 🔕 Cuộc trò chuyện này <b>chưa nhận</b> thông báo bài báo mới. Gõ /subscribe để đăng ký.
admins-only = Xin lỗi, chỉ quản trị viên của nhóm mới thay đổi được việc nhận tin bài mới.
alerts-unavailable = Thông báo bài mới chưa được bật trên bot này.
stats-refused = Lệnh này chỉ dành cho người vận hành bot.
stats =
    📊 <b>Thống kê</b>
    Bài báo: { $articles } ({ $passages } đoạn)
    Cuộc trò chuyện đăng ký: { $subscribers }
    Thông báo đang chờ: { $pending } · đã gửi: { $sent } · bỏ qua: { $dropped }
    Lần kiểm tra nguồn tin gần nhất: { $feed }
cmd-subscribe = Nhận thông báo bài báo mới
cmd-unsubscribe = Hủy nhận thông báo bài báo mới
cmd-status = Tình trạng nhận thông báo
cmd-stats = Thống kê (người vận hành)
alert-title = 🆕 <b>Bài báo mới</b> · { $date } · { $source }
alert-read-on = 🔗 <a href="{ $url }">Đọc bài trên { $source }</a>
button-ask-article = 💬 Hỏi về bài này
