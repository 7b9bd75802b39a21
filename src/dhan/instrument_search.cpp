#include "dhan/instrument_search.hpp"

#include <algorithm>
#include <cctype>
#include <climits>
#include <functional>
#include <queue>
#include <tuple>
#include <unordered_map>

namespace fno::dhan {
namespace {

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// Calls `emit` for each non-empty piece of `text` between spaces and dashes.
template <typename Emit>
void for_each_word(std::string_view text, Emit&& emit) {
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == ' ' || text[i] == '-' || text[i] == '\t') {
      if (i > start) emit(text.substr(start, i - start));
      start = i + 1;
    }
  }
}

// Futures first (what the scanner trades), then cash/index, then options.
int type_class(InstrumentType type) {
  if (is_future(type)) return 0;
  if (type == InstrumentType::kIndex || type == InstrumentType::kEquity) return 1;
  if (is_option(type)) return 2;
  return 3;
}

}  // namespace

InstrumentSearch::InstrumentSearch(std::shared_ptr<const InstrumentTable> table) : table_(std::move(table)) {
  const std::size_t n = table_->size();
  std::unordered_map<std::string, std::uint32_t> ids;
  std::vector<std::string> words;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs;  // (word id, row)
  std::unordered_map<std::string, std::uint32_t> underlying_ids;
  underlying_of_.resize(n);
  std::vector<std::uint32_t> row_words;
  for (std::uint32_t row = 0; row < n; ++row) {
    const Instrument in = table_->at(row);
    row_words.clear();
    for (const std::string_view field : {in.trading_symbol, in.display_name, in.underlying}) {
      for_each_word(field, [&](std::string_view word) {
        auto [it, added] = ids.try_emplace(upper(word), static_cast<std::uint32_t>(words.size()));
        if (added) words.push_back(it->first);
        row_words.push_back(it->second);
      });
    }
    std::sort(row_words.begin(), row_words.end());
    row_words.erase(std::unique(row_words.begin(), row_words.end()), row_words.end());
    for (const auto word : row_words) pairs.emplace_back(word, row);
    underlying_of_[row] =
        underlying_ids.try_emplace(upper(in.underlying), static_cast<std::uint32_t>(underlying_ids.size()))
            .first->second;
  }
  underlying_ids_.reserve(underlying_ids.size());
  for (auto& [name, id] : underlying_ids) underlying_ids_.emplace_back(name, id);
  std::sort(underlying_ids_.begin(), underlying_ids_.end());

  // Sorted dictionary; remap the ids to dictionary order.
  std::vector<std::uint32_t> order(words.size());
  for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return words[a] < words[b]; });
  std::vector<std::uint32_t> position(words.size());
  for (std::uint32_t i = 0; i < order.size(); ++i) {
    position[order[i]] = i;
    word_offsets_.push_back(static_cast<std::uint32_t>(words_.size()));
    words_ += words[order[i]];
    words_ += '\n';
  }
  word_offsets_.push_back(static_cast<std::uint32_t>(words_.size()));
  for (auto& pair : pairs) pair.first = position[pair.first];
  std::sort(pairs.begin(), pairs.end());
  posting_offsets_.assign(words.size() + 1, 0);
  postings_.reserve(pairs.size());
  for (const auto& [word, row] : pairs) {
    ++posting_offsets_[word + 1];
    postings_.push_back(row);
  }
  for (std::size_t i = 1; i < posting_offsets_.size(); ++i) posting_offsets_[i] += posting_offsets_[i - 1];

  // Static tie-break order: type class, expiry, strike, symbol.
  std::vector<std::tuple<int, std::int32_t, double, std::string_view, std::uint32_t>> keys;
  keys.reserve(n);
  for (std::uint32_t row = 0; row < n; ++row) {
    const Instrument in = table_->at(row);
    const std::int32_t expiry = table_->expiry_days(row);
    keys.emplace_back(type_class(in.type), expiry == kNoExpiry ? INT32_MAX : expiry, in.strike, in.trading_symbol,
                      row);
  }
  std::sort(keys.begin(), keys.end());
  rank_of_.resize(n);
  row_at_rank_.resize(n);
  for (std::uint32_t rank = 0; rank < n; ++rank) {
    row_at_rank_[rank] = std::get<4>(keys[rank]);
    rank_of_[row_at_rank_[rank]] = rank;
  }
}

std::size_t InstrumentSearch::memory_bytes() const {
  return words_.capacity() + (word_offsets_.capacity() + posting_offsets_.capacity() + postings_.capacity() +
                              rank_of_.capacity() + row_at_rank_.capacity() + underlying_of_.capacity()) *
                                 sizeof(std::uint32_t) +
         underlying_ids_.capacity() * sizeof(underlying_ids_[0]);
}

std::string_view InstrumentSearch::word(std::uint32_t index) const {
  return std::string_view(words_).substr(word_offsets_[index], word_offsets_[index + 1] - word_offsets_[index] - 1);
}

std::vector<InstrumentSearch::WordMatch> InstrumentSearch::matching_words(std::string_view query_word) const {
  std::vector<WordMatch> matches;
  const auto count = static_cast<std::uint32_t>(word_offsets_.size() - 1);
  // Prefix range in the sorted dictionary; an exact match is its first entry.
  std::uint32_t lo = 0, hi = count;
  while (lo < hi) {
    const std::uint32_t mid = lo + (hi - lo) / 2;
    if (word(mid) < query_word) lo = mid + 1; else hi = mid;
  }
  const std::uint32_t first = lo;
  std::uint32_t last = first;
  while (last < count && word(last).starts_with(query_word)) ++last;
  for (std::uint32_t w = first; w < last; ++w) {
    matches.push_back({w, word(w) == query_word ? kExact : kPrefix});
  }
  if (query_word.size() < 2) return matches;
  // Hits come in dictionary order, so the word holding each one is found by
  // walking forward: O(dictionary) per query at worst.
  const std::string_view all(words_);
  std::uint32_t w = 0;
  for (std::size_t at = all.find(query_word); at != std::string_view::npos; at = all.find(query_word, at)) {
    while (word_offsets_[w + 1] <= at) ++w;
    if (w < first || w >= last) matches.push_back({w, kSubstring});
    at = word_offsets_[w + 1];  // one match per word is enough
  }
  return matches;
}

std::vector<std::uint32_t> InstrumentSearch::search(std::string_view query, std::size_t limit) const {
  limit = std::min(limit, kMaxLimit);
  const std::string normalized = upper(query);
  std::vector<std::string_view> query_words;
  for_each_word(normalized, [&](std::string_view w) {
    if (query_words.size() < kMaxQueryWords) query_words.push_back(w);
  });
  if (query_words.empty() || limit == 0) return {};

  // Per-row progress (words matched so far) and score; reset via `candidates`.
  thread_local std::vector<std::uint8_t> matched;
  thread_local std::vector<std::uint8_t> score;
  matched.resize(std::max(matched.size(), table_->size()));
  score.resize(matched.size());
  std::vector<std::uint32_t> candidates;
  for (std::size_t q = 0; q < query_words.size(); ++q) {
    for (const WordMatch& match : matching_words(query_words[q])) {
      for (std::uint32_t p = posting_offsets_[match.word]; p < posting_offsets_[match.word + 1]; ++p) {
        const std::uint32_t row = postings_[p];
        if (matched[row] != q) continue;  // missed an earlier word, or this word already credited
        if (q == 0) candidates.push_back(row);
        matched[row] = static_cast<std::uint8_t>(q + 1);
        score[row] = static_cast<std::uint8_t>(score[row] + match.quality);
      }
    }
  }
  // Trimmed, case-folded query equal to an underlying ranks that underlying first.
  std::string whole(normalized);
  whole.erase(0, whole.find_first_not_of(" \t"));
  whole.erase(whole.find_last_not_of(" \t") + 1);
  const auto exact = std::lower_bound(underlying_ids_.begin(), underlying_ids_.end(), std::make_pair(whole, 0u));
  const std::uint32_t exact_underlying =
      exact != underlying_ids_.end() && exact->first == whole ? exact->second : UINT32_MAX;

  // Best `limit` by (exact underlying, score, static rank) with a bounded min-heap.
  using Key = std::uint64_t;
  std::priority_queue<Key, std::vector<Key>, std::greater<>> best;
  for (const std::uint32_t row : candidates) {
    if (matched[row] == query_words.size()) {
      const Key key = (Key{underlying_of_[row] == exact_underlying} << 40) | (Key{score[row]} << 32) |
                      (UINT32_MAX - rank_of_[row]);
      if (best.size() < limit) {
        best.push(key);
      } else if (key > best.top()) {
        best.pop();
        best.push(key);
      }
    }
    matched[row] = 0;
    score[row] = 0;
  }
  std::vector<std::uint32_t> ranks;
  while (!best.empty()) {
    ranks.push_back(UINT32_MAX - static_cast<std::uint32_t>(best.top() & 0xFFFFFFFFu));
    best.pop();
  }
  std::vector<std::uint32_t> rows;
  for (auto it = ranks.rbegin(); it != ranks.rend(); ++it) rows.push_back(row_at_rank_[*it]);
  return rows;
}

}  // namespace fno::dhan
