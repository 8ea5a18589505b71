// libFuzzer target for the two Cascade roles (protocol/cascade.hpp), which act on a peer's messages.
// The first byte chooses what the rest of the input is:
//  - even: the payload of a cascade_parity_query, given to a responder after its block id, pass and
//    permutation seed are set to the agreed ones (so that the ranges are what gets fuzzed). An
//    answer must have one parity per range; a rejection must name cascade_parity_query or the
//    message type, and a field;
//  - odd: a key length (two bytes) and then bits that invert the parities of a true responder's
//    replies, one input bit per parity (cycled). The corrector must end, finished or failed; a failure
//    must be replies that contradict each other (field "parities"), and a finished corrector must
//    have disclosed what the responder sent.
// Beyond that, "no crash, no leak, no undefined behaviour" under ASan and UBSan.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "base/rng.hpp"
#include "protocol/cascade.hpp"
#include "protocol/wire/codec.hpp"

namespace {

using namespace tfqkd;
using namespace tfqkd::protocol;

CascadeConfig config_for(std::uint64_t n) {
    CascadeConfig config;
    config.block_id = 7;
    config.shuffle_seed = n * 0x9E3779B97F4A7C15ULL;
    config.schedule = *CascadeSchedule::demystifying(n, 0.03);
    return config;
}

// A random key of n bits, and with `qber` > 0 the same key with each bit flipped with that probability.
PackedBits random_key(std::uint64_t n, double qber = 0.0) {
    const CounterRng bits(n, 1);
    const CounterRng noise(n, 2);
    PackedBits key(n);
    for (std::uint64_t i = 0; i < n; ++i)
        key.set(i, ((bits.at(i / 64) >> (i % 64) & 1U) != 0) != (uniform_at(noise, i) < qber));
    return key;
}

void fuzz_responder(const std::uint8_t* data, std::size_t size) {
    auto query = wire::decode_payload<wire::CascadeParityQuery>(ByteSpan(data, size));
    if (!query) return;
    const std::uint64_t n = 1 + (query->query_id % 5000);
    const CascadeConfig config = config_for(n);
    auto responder = CascadeResponder::create(config, random_key(n));
    if (!responder) std::abort();
    query->block_id = config.block_id;
    query->pass = static_cast<std::uint8_t>(1 + query->pass % config.schedule.block_bits.size());
    query->permutation_seed = permutation_seed_for(config.shuffle_seed, query->pass);
    auto reply = responder->answer(*query);
    if (reply) {
        if (reply->parities.size() != query->ranges.size() || reply->query_id != query->query_id) std::abort();
        if (responder->disclosed_bits() != query->ranges.size()) std::abort();
    } else {
        if (reply.error().message != wire::CascadeParityQuery::kName || reply.error().field.empty()) std::abort();
    }
}

void fuzz_corrector(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return;
    const std::uint64_t n = 1 + ((std::uint64_t{data[0]} << 8 | data[1]) % 4096);
    const ByteSpan lies(data + 2, size - 2);
    const CascadeConfig config = config_for(n);
    auto responder = CascadeResponder::create(config, random_key(n));
    auto corrector = CascadeCorrector::create(config, random_key(n, 0.03));
    if (!responder || !corrector) std::abort();
    std::uint64_t told = 0;
    while (corrector->state() == ReconciliationState::running) {
        for (const wire::CascadeParityQuery& query : corrector->take_queries()) {
            auto reply = responder->answer(query);
            if (!reply) std::abort();  // the corrector's own queries are always valid
            for (std::uint64_t k = 0; k < reply->parities.size() && !lies.empty(); ++k, ++told) {
                const auto bit = (lies[(told / 8) % lies.size()] >> (told % 8)) & 1U;
                if (bit != 0) reply->parities.set(k, !reply->parities.get(k));
            }
            const Status status = corrector->receive_reply(*reply);
            if (!status) {
                if (status.error().field != "parities") std::abort();
                break;
            }
        }
    }
    if (corrector->state() == ReconciliationState::finished &&
        corrector->disclosed_bits() != responder->disclosed_bits())
        std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    if ((data[0] & 1U) == 0) fuzz_responder(data + 1, size - 1);
    else fuzz_corrector(data + 1, size - 1);
    return 0;
}
