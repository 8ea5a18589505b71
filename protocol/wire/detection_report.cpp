// detection_report (0x10): docs/wire-format.md, section 5.3.
//
// This is the bulk message of a session (up to 10^8 events per block) and its decoder is on the
// benchmark's hot path (target: 500 MB/s of input on one core): the event loop decodes varints a
// machine word at a time and checks every rule of the spec per event without a second pass.
#include "protocol/wire/detection_report.hpp"

#include <bit>
#include <cstring>

namespace tfqkd::wire {
namespace {

// Varints of at most 8 bytes are decoded a block of 64 input bytes at a time on little-endian
// hosts. The clear high bits of the block give a 64-bit mask of the bytes that end a varint, so
// finding where the next event starts is a bit operation on a register rather than a chain through
// memory loads, the loop over a block's events mispredicts its exit once per block instead of once
// per word, and each value is gathered from its bytes with a fixed set of shifts.

inline std::uint64_t load_le64(const Byte* p) noexcept {
    std::uint64_t word;
    std::memcpy(&word, p, sizeof word);
    return word;
}

// Bit b of the result is set when byte b of the 64 bytes at p has its high bit clear (ends a varint).
inline std::uint64_t stop_mask64(const Byte* p) noexcept {
    std::uint64_t mask = 0;
    for (unsigned w = 0; w < 8; ++w) {
        // Move the 8 stop bits (bit 7 of each byte) into the top byte, in byte order, with one
        // multiplication: every partial product lands on its own bit, so nothing carries.
        const std::uint64_t stops = (~load_le64(p + 8 * w) & 0x8080808080808080ULL) >> 7;
        mask |= ((stops * 0x0102040810204080ULL) >> 56) << (8 * w);
    }
    return mask;
}

// The value of a varint whose `length` bytes (1..8) are the low bytes of `raw`, continuation bits
// included: the 7-bit groups are gathered into 14 bits, then 28, then 56.
inline std::uint64_t gather_varint(std::uint64_t raw, unsigned length) noexcept {
    if (length <= 4) {
        // Up to 28 bits, the common case at any heralding rate above 10^-8: one stage fewer.
        auto y = static_cast<std::uint32_t>(raw & (0xFFFFFFFFULL >> (32 - 8 * length))) & 0x7f7f7f7fU;
        y = ((y & 0x7f007f00U) >> 1) | (y & 0x007f007fU);
        y = ((y & 0x3fff0000U) >> 2) | (y & 0x00003fffU);
        return y;
    }
    std::uint64_t x = raw & (~0ULL >> (64 - 8 * length)) & 0x7f7f7f7f7f7f7f7fULL;
    x = ((x & 0x7f007f007f007f00ULL) >> 1) | (x & 0x007f007f007f007fULL);
    x = ((x & 0x3fff00003fff0000ULL) >> 2) | (x & 0x00003fff00003fffULL);
    x = ((x & 0x0fffffff00000000ULL) >> 4) | (x & 0x000000000fffffffULL);
    return x;
}

}  // namespace

Result<DetectionReport> DetectionReport::read(Reader& reader) {
    DetectionReport m;
    std::uint32_t event_count = 0;
    if (!reader.u64("block_id", m.block_id)) return reader.take_error();
    if (!reader.uint_in<std::uint64_t>("first_slot", m.first_slot, 0, kMaxSlot - 1)) return reader.take_error();
    const std::size_t slot_count_at = reader.offset();
    if (!reader.uint_in<std::uint64_t>("slot_count", m.slot_count, 1, kMaxSlot)) return reader.take_error();
    if (m.first_slot + m.slot_count > kMaxSlot) {
        reader.fail_at(slot_count_at, "slot_count", Errc::out_of_range);
        return reader.take_error();
    }
    const std::size_t count_at = reader.offset();
    if (!reader.uint_in<std::uint32_t>("event_count", event_count, 0, kMaxEventsPerBlock)) return reader.take_error();
    // Each event takes at least one byte: check the claim before allocating for it (WF-ENC-7).
    if (event_count > reader.remaining()) {
        reader.fail_at(count_at, "event_count", Errc::truncated);
        return reader.take_error();
    }
    m.slots.resize(event_count);
    m.clicks.resize(event_count);
    std::uint64_t* const slots = m.slots.data();
    Click* const clicks = m.clicks.data();

    const Byte* const begin = reader.cursor();
    const Byte* const end = begin + reader.remaining();
    const std::uint64_t slot_end = m.first_slot + m.slot_count;
    // The slot before the first event, so that every event is previous + 1 + gap (WF-ENC-9).
    // Unsigned wrap-around of first_slot - 1 is undone by the + 1 below.
    std::uint64_t previous = m.first_slot - 1;
    std::uint32_t i = 0;
    const Byte* p = begin;

    // Records event i from its varint value; false (with the error recorded at the event's first
    // byte) if it breaks a rule of section 5.3. The click is checked before the slot bound.
    const auto record = [&](std::uint64_t v, const Byte* event_start) __attribute__((always_inline)) {
        const auto click = static_cast<std::uint8_t>(v & 3U);
        const std::uint64_t slot = previous + 1 + (v >> 2);
        if (click == 0 || slot >= slot_end) [[unlikely]] {
            reader.skip_unchecked(static_cast<std::size_t>(event_start - begin));
            reader.fail(click == 0 ? "events[].click" : "events[].gap",
                        click == 0 ? Errc::invalid_value : Errc::out_of_range);
            return false;
        }
        slots[i] = slot;
        clicks[i] = static_cast<Click>(click);
        previous = slot;
        ++i;
        return true;
    };

    if constexpr (std::endian::native == std::endian::little) {
        // A block is read as 64 bytes and a varint ending in it as the 8 bytes from its start,
        // which may lie in the block before: 72 bytes of headroom cover both.
        const Byte* start = p;  // where the next event begins
        const Byte* block = p;
        bool irregular = false;
        while (i < event_count && end - block >= 72 && !irregular) {
            for (std::uint64_t mask = stop_mask64(block); mask != 0 && i < event_count; mask &= mask - 1) {
                const Byte* next = block + std::countr_zero(mask) + 1;
                const auto length = static_cast<std::size_t>(next - start);
                // Longer than 8 bytes, or a multi-byte varint ending in a zero group: leave it to
                // the byte-wise path, which names the error. (The length test comes first: the
                // shift below is defined only for lengths up to 8.)
                if (length > kEventVarintBytes) {
                    irregular = true;
                    break;
                }
                const std::uint64_t raw = load_le64(start);
                if ((length > 1) & (((raw >> (8 * length - 8)) & 0xFF) == 0)) {
                    irregular = true;
                    break;
                }
                if (!record(gather_varint(raw, static_cast<unsigned>(length)), start)) return reader.take_error();
                start = next;
            }
            block += 64;
        }
        p = start;
    }
    // The last bytes, big-endian hosts, and every malformed varint go byte by byte.
    while (i < event_count) {
        std::uint64_t v = 0;
        const int n = decode_varint(p, end, v, kEventVarintBytes);
        if (n <= 0) {
            // Let the reader classify the failure (truncated, over-long or non-canonical).
            reader.skip_unchecked(static_cast<std::size_t>(p - begin));
            std::uint64_t ignored = 0;
            (void)reader.varint("events[]", ignored, kEventVarintBytes);
            return reader.take_error();
        }
        if (!record(v, p)) return reader.take_error();
        p += n;
    }
    reader.skip_unchecked(static_cast<std::size_t>(p - begin));
    return m;
}

void DetectionReport::write(Writer& writer) const {
    if (slots.size() != clicks.size()) {
        writer.fail("events[]", Errc::length_mismatch, "slots and clicks differ in length");
        return;
    }
    if (slots.size() > kMaxEventsPerBlock) {
        writer.fail("event_count", Errc::out_of_range);
        return;
    }
    writer.u64(block_id);
    writer.u64(first_slot);
    writer.u64(slot_count);
    writer.u32(static_cast<std::uint32_t>(slots.size()));
    std::uint64_t previous = first_slot - 1;
    for (std::size_t i = 0; i < slots.size(); ++i) {
        const bool in_order = i == 0 ? slots[i] >= first_slot : slots[i] > previous;
        if (!in_order) {
            writer.fail("events[].slot", Errc::not_increasing);
            return;
        }
        const std::uint64_t gap = slots[i] - previous - 1;
        if (gap >= (1ULL << 54)) {
            writer.fail("events[].gap", Errc::out_of_range);
            return;
        }
        writer.varint((gap << 2) | static_cast<std::uint8_t>(clicks[i]));
        previous = slots[i];
    }
}

Status DetectionReport::check() const { return {}; }

}  // namespace tfqkd::wire
