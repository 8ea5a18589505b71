// cascade_parity_query (0x40): docs/wire-format.md, section 5.10.
//
// Ranges are coded relative to the end of the previous range (not its start, as WF-ENC-9 lists are),
// so that increasing, disjoint ranges are the only ones the encoding can express.
#include "protocol/wire/cascade_parity_query.hpp"

#include <limits>

namespace tfqkd::wire {

namespace {

constexpr unsigned kRangeVarintBytes = 5;
// A range is two varints of at least one byte each.
constexpr std::uint64_t kMinRangeBytes = 2;

}  // namespace

Result<CascadeParityQuery> CascadeParityQuery::read(Reader& reader) {
    CascadeParityQuery m;
    std::uint32_t range_count = 0;
    if (!reader.u64("block_id", m.block_id)) return reader.take_error();
    if (!reader.u32("query_id", m.query_id)) return reader.take_error();
    if (!reader.uint_in<std::uint8_t>("pass", m.pass, 1, kMaxPass)) return reader.take_error();
    if (!reader.u64("permutation_seed", m.permutation_seed)) return reader.take_error();
    const std::size_t count_at = reader.offset();
    if (!reader.uint_in<std::uint32_t>("range_count", range_count, 1, kMaxRanges)) return reader.take_error();
    // Check the claim before allocating for it (WF-ENC-7).
    if (range_count * kMinRangeBytes > reader.remaining()) {
        reader.fail_at(count_at, "range_count", Errc::truncated);
        return reader.take_error();
    }
    m.ranges.resize(range_count);
    // Starts and lengths are below 2^35 (five-byte varints) and ends at most 2^32, so no sum overflows.
    std::uint64_t previous_end = 0;
    for (Range& range : m.ranges) {
        std::uint64_t start_delta = 0;
        if (!reader.varint("ranges[].start", start_delta, kRangeVarintBytes)) return reader.take_error();
        const std::size_t length_at = reader.offset();
        if (!reader.varint("ranges[].length", range.length, kRangeVarintBytes)) return reader.take_error();
        range.start = previous_end + start_delta;
        const std::uint64_t end = range.start + range.length;
        if (range.length == 0 || end > kMaxEnd) {
            reader.fail_at(length_at, "ranges[].length", Errc::out_of_range);
            return reader.take_error();
        }
        previous_end = end;
    }
    return m;
}

void CascadeParityQuery::write(Writer& writer) const {
    if (ranges.size() > std::numeric_limits<std::uint32_t>::max()) {
        writer.fail("range_count", Errc::out_of_range);
        return;
    }
    writer.u64(block_id);
    writer.u32(query_id);
    writer.u8(pass);
    writer.u64(permutation_seed);
    writer.u32(static_cast<std::uint32_t>(ranges.size()));
    std::uint64_t previous_end = 0;
    for (const Range& range : ranges) {
        if (range.start < previous_end) {
            writer.fail("ranges[].start", Errc::not_increasing);
            return;
        }
        // An end beyond 64 bits has no delta to the next range; the decoder's bound is far below it.
        if (range.length > std::numeric_limits<std::uint64_t>::max() - range.start) {
            writer.fail("ranges[].length", Errc::out_of_range);
            return;
        }
        writer.varint(range.start - previous_end);
        writer.varint(range.length);
        previous_end = range.start + range.length;
    }
}

Status CascadeParityQuery::check() const { return {}; }

}  // namespace tfqkd::wire
