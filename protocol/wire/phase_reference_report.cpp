// phase_reference_report (0x11): docs/wire-format.md, section 5.4.
#include "protocol/wire/phase_reference_report.hpp"

#include <limits>

namespace tfqkd::wire {

Result<PhaseReferenceReport> PhaseReferenceReport::read(Reader& reader) {
    PhaseReferenceReport m;
    std::uint32_t sample_count = 0;
    if (!reader.u64("block_id", m.block_id)) return reader.take_error();
    if (!reader.uint_in<std::uint64_t>("first_slot", m.first_slot, 0, kMaxSlot - 1)) return reader.take_error();
    if (!reader.uint_in<std::uint64_t>("sample_stride", m.sample_stride, 1, kMaxSlot)) return reader.take_error();
    const std::size_t count_at = reader.offset();
    if (!reader.uint_in<std::uint32_t>("sample_count", sample_count, 0, kMaxSamples)) return reader.take_error();
    // Each sample is a u32: check the claim before allocating for it (WF-ENC-7).
    if (sample_count > reader.remaining() / 4) {
        reader.fail_at(count_at, "sample_count", Errc::truncated);
        return reader.take_error();
    }
    m.phases.resize(sample_count);
    for (auto& phase : m.phases)
        if (!reader.u32("phases[]", phase)) return reader.take_error();
    return m;
}

void PhaseReferenceReport::write(Writer& writer) const {
    writer.u64(block_id);
    writer.u64(first_slot);
    writer.u64(sample_stride);
    // Only a list that its u32 count cannot express is refused here; the 2^24 bound is the decoder's.
    if (phases.size() > std::numeric_limits<std::uint32_t>::max()) {
        writer.fail("sample_count", Errc::out_of_range);
        return;
    }
    writer.u32(static_cast<std::uint32_t>(phases.size()));
    for (const std::uint32_t phase : phases) writer.u32(phase);
}

Status PhaseReferenceReport::check() const { return {}; }

}  // namespace tfqkd::wire
