// A sample session transcript: the frames that Alice, Bob and Charlie exchange for one block of
// SNS-TF-QKD with AOPP, built from a seed. It uses every message type of the wire format but
// ldpc_syndrome (this block reconciles with Cascade), and is
// what `tfqkd transcript` encodes, decodes and prints until the protocol layer runs real sessions.
// The contents are consistent in shape (counts, indices, routes), not the outcome of a simulated
// experiment, and the authentication tags are zero: computing them belongs to the protocol layer.
#pragma once

#include <vector>

#include "base/bytes.hpp"
#include "protocol/wire/frame.hpp"

namespace tfqkd::cli {

struct TranscriptFrame {
    wire::FrameHeader header;
    wire::Message message;
};

// The frames of one sample block, in the order they are sent.
std::vector<TranscriptFrame> sample_transcript(std::uint64_t seed, std::uint64_t pulse_count);

}  // namespace tfqkd::cli
