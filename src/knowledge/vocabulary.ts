/**
 * General language knowledge used to read questions: Vietnamese function words, and a small
 * English → Vietnamese vocabulary of the news domain (administration, mass mobilisation,
 * emulation movements, awards, tasks, difficulties, results, economy, society). It describes the
 * languages, not any article: it would serve any provincial newspaper.
 */

/**
 * Vietnamese question and function words (canonical, with tone marks). They carry no topic, so a
 * passage is not judged by whether it repeats them.
 */
export const VIETNAMESE_STOPWORDS: ReadonlySet<string> = new Set([
  "à", "ạ", "ai", "anh", "ấy", "bao", "bạn", "bị", "các", "cái", "cần", "cho", "chị", "chỉ", "chúng", "có",
  "còn", "của", "cùng", "đã", "đang", "đâu", "để", "đến", "đi", "đó", "được", "em", "gì", "hãy", "hay",
  "hỏi", "khi", "không", "là", "làm", "lại", "mà", "mấy", "mình", "một", "này", "nào", "nên", "nếu",
  "nhé", "nhỉ", "như", "những", "nhiêu", "ở", "ơi", "ra", "rằng", "rồi", "sao", "sẽ", "thì", "thế",
  "theo", "thưa", "tôi", "trong", "từ", "và", "vậy", "về", "vì", "với", "xin", "biết", "nói", "gồm",
  "vào", "việc", "điều", "hơn", "rất", "lắm", "nữa", "cũng", "đều", "luôn", "thể", "bị", "do", "bởi", "tại",
]);

/**
 * Vietnamese phrases are written with their tones. A question typed without tones matches them by
 * folded form, except one-syllable phrases, which are too ambiguous folded ("mấy" vs "máy").
 */
/** Phrases of address, asking and greeting ("đồng chí cho biết …", "cảm ơn"). */
export const VIETNAMESE_STOP_PHRASES: readonly (readonly string[])[] = [
  ["đồng", "chí"], ["cho", "biết"], ["xin", "hỏi"], ["vui", "lòng"], ["thế", "nào"], ["bài", "báo"], ["bài", "viết"],
  ["cảm", "ơn"], ["tạm", "biệt"], ["xin", "chào"], ["chào"],
];

/** Words that ask for a quantity: only a figure answers them. */
export const VIETNAMESE_QUANTITY_PHRASES: readonly (readonly string[])[] = [["bao", "nhiêu"], ["mấy"], ["số", "lượng"]];
/** Words that ask for a figure while naming what it measures: they stay topic words too. */
export const VIETNAMESE_MEASURE_WORDS: readonly (readonly string[])[] = [["tỷ", "lệ"], ["tỉ", "lệ"], ["phần", "trăm"]];
export const ENGLISH_MEASURE_WORDS: readonly (readonly string[])[] = [["rate"], ["percentage"], ["percent"], ["proportion"]];
/** Words that ask who, or for a name: only a passage naming a person answers them. */
export const VIETNAMESE_PERSON_PHRASES: readonly (readonly string[])[] = [["là", "ai"], ["ai", "là"], ["ai", "đã"], ["tên", "là", "gì"], ["tên", "gì"], ["họ", "tên"]];
export const ENGLISH_PERSON_PHRASES: readonly (readonly string[])[] = [["who"], ["whom"], ["whose"], ["what", "is", "the", "name"], ["what", "name"]];
export const ENGLISH_QUANTITY_PHRASES: readonly (readonly string[])[] = [["how", "many"], ["how", "much"], ["number", "of"]];
/** Words that ask for a time: only a date or a time expression answers them. */
export const VIETNAMESE_TIME_PHRASES: readonly (readonly string[])[] = [
  ["khi", "nào"], ["bao", "giờ"], ["lúc", "nào"], ["năm", "nào"], ["ngày", "nào"], ["tháng", "nào"], ["hồi", "nào"],
  ["thời", "điểm", "nào"], ["mấy", "giờ"],
];
export const ENGLISH_TIME_PHRASES: readonly (readonly string[])[] = [
  ["when"], ["what", "time"], ["what", "year"], ["what", "date"], ["which", "year"], ["what", "day"],
];

export const ENGLISH_STOPWORDS: ReadonlySet<string> = new Set([
  "a", "about", "all", "am", "among", "an", "and", "any", "are", "as", "at", "be", "been", "being", "between", "but", "by",
  "can", "could", "did", "do", "does", "for", "from", "had", "has", "have", "he", "her", "here", "him",
  "his", "how", "i", "if", "in", "into", "is", "it", "its", "me", "many", "much", "my", "of", "on", "or",
  "our", "please", "she", "should", "so", "some", "tell", "than", "that", "the", "their", "them", "then",
  "there", "these", "they", "this", "those", "to", "us", "was", "we", "were", "what", "when", "where",
  "which", "who", "whom", "whose", "why", "will", "with", "would", "you", "your", "according", "article",
  "interview", "say", "said", "says", "mention", "mentioned", "there's", "what's", "know", "give", "list",
  "explain", "describe", "main", "kind", "kinds", "type", "types", "other", "s", "anyone", "anything",
  "someone", "something", "everyone", "everything", "thing", "things", "also", "just", "now", "very", "really",
  // Common verbs, adjectives and adverbs that carry no topic: a question is not about "play" or "good".
  "play", "plays", "played", "good", "well", "better", "best", "enough", "bad", "supposed", "going", "go", "goes",
  "went", "come", "comes", "came", "make", "makes", "made", "take", "takes", "took", "taken", "see", "seen", "look",
  "like", "want", "wants", "use", "used", "using", "find", "found", "think", "way", "ways", "done", "doing", "put",
  "set", "try", "keep", "kept", "let", "seem", "seems", "still", "yet", "already", "currently", "today", "lot",
  "lots", "more", "most", "less", "much", "such", "own", "same", "different", "important", "able", "regarding",
  "concerning", "happen", "happened", "exactly", "overall", "general", "generally", "specific", "specifically",
]);

/** Irregular and informal English forms, mapped to the vocabulary's head words. */
export const ENGLISH_IRREGULAR: Readonly<Record<string, string>> = {
  led: "lead", got: "get", gotten: "get", gave: "give", given: "give", won: "win", brought: "bring", held: "hold",
  taught: "teach", chosen: "choose", ppl: "people", folks: "people", govt: "government", gov: "government",
  men: "person", women: "person",
};

/**
 * English word (lower case, stemmed by {@link englishStem}) → Vietnamese phrases with that sense.
 * Multi-word English expressions are listed under their head word's stem joined with "_".
 */
export const ENGLISH_TO_VIETNAMESE: Readonly<Record<string, readonly string[]>> = {
  // two-word expressions (stems joined by "_"), looked up before their words
  fatherland_front: ["mặt trận tổ quốc", "mặt trận"],
  party_committee: ["tỉnh ủy", "cấp ủy", "đảng ủy", "huyện ủy"],
  people_committee: ["ủy ban nhân dân", "ubnd"],
  mass_mobilization: ["dân vận"],
  mass_mobilisation: ["dân vận"],
  new_rural: ["nông thôn mới"],
  local_authority: ["chính quyền địa phương", "chính quyền"],
  central_level: ["cấp trung ương", "trung ương"],
  political_system: ["hệ thống chính trị"],
  poverty_reduction: ["giảm nghèo"],
  // results, achievements
  result: ["kết quả", "thành tích"],
  achievement: ["kết quả", "thành tích", "thành tựu"],
  achieve: ["đạt", "đạt được", "kết quả"],
  accomplish: ["đạt", "kết quả", "thành tích"],
  outcome: ["kết quả"],
  success: ["thành công", "thắng lợi", "kết quả"],
  effect: ["hiệu quả", "tác động"],
  effective: ["hiệu quả"],
  effectiveness: ["hiệu quả"],
  efficiency: ["hiệu quả"],
  impact: ["tác động", "hiệu quả"],
  progress: ["tiến bộ", "chuyển biến"],
  change: ["chuyển biến", "thay đổi", "đổi mới"],
  improve: ["nâng cao", "cải thiện"],
  improvement: ["nâng cao", "cải thiện", "chuyển biến"],
  // difficulties, limitations
  difficulty: ["khó khăn", "hạn chế", "vướng mắc"],
  difficult: ["khó khăn"],
  challenge: ["khó khăn", "thách thức", "hạn chế"],
  problem: ["khó khăn", "hạn chế", "vấn đề", "vướng mắc"],
  issue: ["vấn đề", "hạn chế"],
  obstacle: ["khó khăn", "vướng mắc", "trở ngại"],
  limitation: ["hạn chế", "khó khăn"],
  limit: ["hạn chế"],
  shortcoming: ["hạn chế", "yếu kém", "thiếu sót"],
  weakness: ["hạn chế", "yếu kém"],
  remain: ["còn", "vẫn còn"],
  still: ["còn", "vẫn"],
  lack: ["thiếu", "chưa"],
  // tasks, plans, the future
  task: ["nhiệm vụ"],
  duty: ["nhiệm vụ"],
  mission: ["nhiệm vụ"],
  plan: ["kế hoạch", "nhiệm vụ", "phương hướng"],
  goal: ["mục tiêu"],
  target: ["mục tiêu", "chỉ tiêu"],
  objective: ["mục tiêu"],
  priority: ["trọng tâm", "ưu tiên"],
  key: ["trọng tâm", "chủ yếu"],
  focus: ["trọng tâm", "tập trung"],
  ahead: ["thời gian tới", "sắp tới"],
  future: ["thời gian tới", "tương lai", "sắp tới"],
  next: ["thời gian tới", "tiếp theo", "sắp tới"],
  upcoming: ["thời gian tới", "sắp tới"],
  coming: ["thời gian tới", "sắp tới"],
  solution: ["giải pháp", "biện pháp"],
  measure: ["giải pháp", "biện pháp", "thước đo"],
  yardstick: ["thước đo"],
  criterion: ["thước đo", "tiêu chí"],
  link: ["gắn với", "gắn"],
  tie: ["gắn với", "gắn"],
  associate: ["gắn với", "gắn"],
  period: ["thời gian", "giai đoạn"],
  bring: ["mang lại", "đem lại", "tạo"],
  continue: ["tiếp tục"],
  strengthen: ["tăng cường", "củng cố"],
  promote: ["đẩy mạnh", "phát huy", "nhân rộng"],
  replicate: ["nhân rộng"],
  expand: ["nhân rộng", "mở rộng"],
  // awards, emulation
  award: ["khen thưởng", "bằng khen", "khen", "giải thưởng"],
  reward: ["khen thưởng", "khen"],
  commend: ["khen", "biểu dương", "khen thưởng"],
  commendation: ["khen thưởng", "bằng khen", "biểu dương"],
  honor: ["khen thưởng", "tôn vinh", "biểu dương"],
  honour: ["khen thưởng", "tôn vinh", "biểu dương"],
  certificate: ["bằng khen", "giấy khen"],
  merit: ["bằng khen", "khen", "thành tích"],
  prize: ["giải thưởng", "giải"],
  emulation: ["thi đua"],
  competition: ["thi đua", "cuộc thi"],
  campaign: ["cuộc vận động", "phong trào", "chiến dịch"],
  movement: ["phong trào"],
  model: ["mô hình", "điển hình"],
  example: ["điển hình", "gương"],
  exemplary: ["điển hình", "tiêu biểu"],
  typical: ["điển hình", "tiêu biểu"],
  outstanding: ["tiêu biểu", "nổi bật", "xuất sắc"],
  individual: ["cá nhân"],
  person: ["cá nhân", "người"],
  people: ["nhân dân", "người dân", "dân", "người", "cá nhân"],
  citizen: ["người dân", "nhân dân", "công dân"],
  public: ["nhân dân", "quần chúng", "công chúng"],
  mass: ["quần chúng", "dân vận"],
  collective: ["tập thể"],
  group: ["tập thể", "nhóm"],
  team: ["tập thể", "đội"],
  organization: ["tổ chức"],
  organisation: ["tổ chức"],
  // mass mobilisation, politics, administration
  mobilization: ["dân vận", "vận động"],
  mobilisation: ["dân vận", "vận động"],
  mobilize: ["vận động", "huy động"],
  mobilise: ["vận động", "huy động"],
  skillful: ["khéo"],
  skilful: ["khéo"],
  clever: ["khéo"],
  propaganda: ["tuyên truyền"],
  communication: ["tuyên truyền", "thông tin"],
  awareness: ["nhận thức"],
  perception: ["nhận thức"],
  party: ["đảng"],
  member: ["đảng viên", "hội viên", "đoàn viên", "thành viên"],
  cadre: ["cán bộ"],
  official: ["cán bộ", "chính thức"],
  officer: ["cán bộ"],
  staff: ["cán bộ", "nhân viên"],
  leader: ["lãnh đạo"],
  leadership: ["lãnh đạo"],
  lead: ["lãnh đạo", "chỉ đạo"],
  direct: ["chỉ đạo"],
  direction: ["chỉ đạo", "phương hướng"],
  government: ["chính quyền", "chính phủ"],
  authority: ["chính quyền", "cơ quan"],
  administration: ["chính quyền", "hành chính"],
  committee: ["ủy ban", "ban", "cấp ủy"],
  board: ["ban"],
  department: ["ban", "sở", "ngành"],
  agency: ["cơ quan", "ban ngành"],
  province: ["tỉnh"],
  provincial: ["tỉnh"],
  district: ["huyện", "quận"],
  commune: ["xã"],
  village: ["ấp", "thôn", "làng"],
  local: ["địa phương", "cơ sở"],
  locality: ["địa phương"],
  grassroots: ["cơ sở"],
  level: ["cấp"],
  political: ["chính trị"],
  politics: ["chính trị"],
  system: ["hệ thống"],
  front: ["mặt trận"],
  union: ["đoàn thể", "công đoàn", "hội"],
  association: ["hội", "đoàn thể"],
  resolution: ["nghị quyết"],
  congress: ["đại hội"],
  program: ["chương trình"],
  programme: ["chương trình"],
  action: ["hành động"],
  policy: ["chính sách"],
  law: ["pháp luật", "luật"],
  coordination: ["phối hợp"],
  coordinate: ["phối hợp"],
  cooperation: ["phối hợp", "hợp tác"],
  consensus: ["đồng thuận"],
  agreement: ["đồng thuận", "thỏa thuận"],
  democracy: ["dân chủ", "quyền làm chủ"],
  right: ["quyền"],
  interest: ["lợi ích"],
  benefit: ["lợi ích"],
  training: ["đào tạo", "bồi dưỡng"],
  train: ["đào tạo", "bồi dưỡng"],
  skill: ["kỹ năng"],
  capacity: ["năng lực"],
  ability: ["năng lực"],
  young: ["trẻ", "trẻ tuổi"],
  youth: ["thanh niên", "trẻ"],
  inspection: ["kiểm tra"],
  check: ["kiểm tra"],
  review: ["sơ kết", "tổng kết", "đánh giá"],
  evaluate: ["đánh giá"],
  evaluation: ["đánh giá"],
  experience: ["kinh nghiệm"],
  ideology: ["tư tưởng"],
  thought: ["tư tưởng"],
  morality: ["đạo đức"],
  ethic: ["đạo đức"],
  style: ["phong cách"],
  motto: ["phương châm"],
  principle: ["phương châm", "nguyên tắc"],
  // economy, society, security
  economy: ["kinh tế"],
  economic: ["kinh tế"],
  society: ["xã hội"],
  social: ["xã hội"],
  development: ["phát triển"],
  develop: ["phát triển"],
  growth: ["tăng trưởng", "phát triển"],
  investment: ["đầu tư"],
  invest: ["đầu tư"],
  project: ["công trình", "dự án"],
  construction: ["xây dựng", "công trình"],
  build: ["xây dựng"],
  rural: ["nông thôn"],
  countryside: ["nông thôn"],
  urban: ["đô thị"],
  city: ["thành phố", "đô thị"],
  civilized: ["văn minh"],
  civilised: ["văn minh"],
  poverty: ["nghèo", "giảm nghèo"],
  poor: ["nghèo"],
  sustainable: ["bền vững"],
  security: ["an ninh"],
  defense: ["quốc phòng"],
  defence: ["quốc phòng"],
  order: ["trật tự"],
  safety: ["an toàn"],
  stability: ["ổn định"],
  national: ["quốc gia", "toàn quốc"],
  nation: ["quốc gia"],
  country: ["đất nước", "quốc gia"],
  central: ["trung ương"],
  chairman: ["chủ tịch"],
  chair: ["chủ tịch"],
  president: ["chủ tịch"],
  secretary: ["bí thư"],
  reporter: ["phóng viên"],
  journalist: ["phóng viên", "nhà báo"],
  press: ["báo chí"],
  newspaper: ["báo"],
  news: ["tin tức", "thông tin"],
  information: ["thông tin"],
  report: ["báo cáo"],
  situation: ["tình hình"],
  forecast: ["dự báo"],
  fatherland: ["tổ quốc"],
  rate: ["tỷ lệ"],
  percentage: ["tỷ lệ", "phần trăm"],
  percent: ["phần trăm", "tỷ lệ"],
  name: ["tên"],
  predict: ["dự báo"],
  year: ["năm"],
  years: ["năm"],
  time: ["thời gian"],
  recent: ["thời gian qua", "vừa qua", "gần đây"],
  past: ["thời gian qua", "qua"],
  whole: ["toàn"],
  entire: ["toàn"],
  total: ["tổng", "toàn"],
  quality: ["chất lượng"],
  depth: ["chiều sâu"],
  deep: ["sâu", "chiều sâu"],
  meaning: ["ý nghĩa"],
  significance: ["ý nghĩa"],
  role: ["vai trò"],
  purpose: ["mục đích"],
  content: ["nội dung"],
  form: ["hình thức", "loại hình"],
  method: ["phương thức", "phương pháp"],
  work: ["công tác", "công việc"],
  activity: ["hoạt động"],
  field: ["lĩnh vực"],
  area: ["lĩnh vực", "địa bàn"],
  nominate: ["đề nghị"],
  propose: ["đề nghị", "đề xuất"],
  proposal: ["đề nghị", "đề xuất"],
  waste: ["lãng phí"],
  formalism: ["hình thức", "phô trương"],
  study: ["học tập", "nghiên cứu"],
  learn: ["học tập", "học"],
  follow: ["làm theo", "theo"],
  research: ["nghiên cứu"],
  innovate: ["đổi mới"],
  innovation: ["đổi mới"],
  renew: ["đổi mới"],
  diversify: ["đa dạng hóa"],
  regular: ["thường xuyên"],
  continuous: ["liên tục"],
  avoid: ["tránh"],
  receive: ["nhận", "được", "được tặng"],
  give: ["tặng", "trao", "cho"],
  grant: ["tặng", "trao", "cấp"],
  win: ["đạt", "giành", "đoạt"],
  get: ["được", "nhận", "đạt"],
  gain: ["đạt", "được"],
  reach: ["đạt"],
  participate: ["tham gia"],
  join: ["tham gia"],
  implement: ["triển khai", "thực hiện"],
  implementation: ["triển khai", "thực hiện"],
  carry: ["thực hiện", "triển khai"],
  launch: ["triển khai", "phát động"],
  create: ["tạo", "xây dựng"],
  prevent: ["tránh", "ngăn chặn", "phòng ngừa"],
  need: ["cần"],
  must: ["phải", "cần"],
};

/**
 * Vietnamese words of one sense in this register: a question may say "vướng mắc" where the
 * article says "khó khăn". Each group lists interchangeable words (with tones).
 */
export const VIETNAMESE_SYNONYMS: readonly (readonly string[])[] = [
  ["khó khăn", "vướng mắc", "trở ngại", "thách thức"],
  ["hạn chế", "tồn tại", "yếu kém", "thiếu sót", "bất cập", "điểm yếu"],
  ["kết quả", "thành tích", "thành tựu", "thành quả"],
  ["nhiệm vụ", "công việc", "kế hoạch"],
  ["trọng tâm", "trọng điểm", "ưu tiên"],
  ["thời gian tới", "sắp tới", "tương lai", "năm tới"],
  ["khen thưởng", "khen", "tuyên dương", "biểu dương"],
  ["bằng khen", "giấy khen"],
  ["cá nhân", "người"],
  ["phối hợp", "hợp tác", "kết hợp"],
  ["tuyên truyền", "tuyên giáo", "thông tin"],
  ["chính quyền", "nhà nước"],
  ["nhân dân", "người dân", "quần chúng"],
  ["báo chí", "truyền thông", "báo"],
  ["đào tạo", "bồi dưỡng", "huấn luyện"],
  ["tránh", "né", "ngăn ngừa"],
];

/**
 * A light English stemmer: enough to map "difficulties", "awarded", "tasks", "models" to the
 * vocabulary's head words. Irregular forms the vocabulary needs are listed explicitly.
 */
export function englishStem(word: string): string {
  if (word in ENGLISH_IRREGULAR) return ENGLISH_IRREGULAR[word]!;
  if (word in ENGLISH_TO_VIETNAMESE) return word;
  const candidates: string[] = [];
  if (word.endsWith("ies")) candidates.push(`${word.slice(0, -3)}y`);
  if (word.endsWith("es")) candidates.push(word.slice(0, -2));
  if (word.endsWith("s")) candidates.push(word.slice(0, -1));
  if (word.endsWith("ied")) candidates.push(`${word.slice(0, -3)}y`);
  if (word.endsWith("ed")) candidates.push(word.slice(0, -2), word.slice(0, -1));
  if (word.endsWith("ing")) candidates.push(word.slice(0, -3), `${word.slice(0, -3)}e`);
  if (word.endsWith("ly")) candidates.push(word.slice(0, -2));
  return candidates.find((c) => c in ENGLISH_TO_VIETNAMESE) ?? word;
}
