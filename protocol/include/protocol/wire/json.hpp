// The JSON form of messages and frames: the `decoded` form of the vector files
// (docs/wire-format.md, section 7.1), also printed by `tfqkd wire decode`.
#pragma once

#include <nlohmann/json.hpp>

#include "protocol/wire/frame.hpp"
#include "protocol/wire/messages.hpp"

namespace tfqkd::wire {

nlohmann::json to_json(const Message& message);

// The frame's header fields with payload and tag as hex (section 7.1).
nlohmann::json to_json(const FrameView& frame);

// A bits[n] field as a string of n characters '0' and '1'.
std::string bits_to_string(const PackedBits& bits);

}  // namespace tfqkd::wire
