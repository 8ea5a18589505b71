// Cascade error correction (Brassard and Salvail, EUROCRYPT '93, LNCS 765, 410), in the variant
// tuned by Martinez-Mateo, Pacher, Peev, Ciurana and Martin, "Demystifying the information
// reconciliation protocol Cascade", Quantum Inf. Comput. 15 (2015), arXiv:1407.3257: block
// sizes per pass from the QBER estimate, block parity inference, reuse of every parity already
// disclosed, and 14 passes. The algorithm, the permutations and the measured efficiency and
// throughput are described in docs/postprocessing.md, "Error correction: Cascade".
//
// The messages are the wire catalogue's cascade_parity_query (the corrector asks for the parities of
// ranges of the key in a pass's permuted order) and cascade_parity_reply (the responder answers, one
// parity bit per range, each one bit of leakage); docs/wire-format.md, 5.10 and 5.11.
//
// Ownership: each role copies its key at creation and keeps the copies (and the permuted copies of
// each pass) until it is destroyed. They are secret: see the note on zeroization in cascade.cpp.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "base/bits.hpp"
#include "base/result.hpp"
#include "protocol/reconcile.hpp"
#include "protocol/wire/cascade_parity_query.hpp"
#include "protocol/wire/cascade_parity_reply.hpp"

namespace tfqkd::protocol {

// Block sizes per pass. Both roles hold the same schedule: the responder needs it to lay out each
// pass's permutation, the corrector to choose its blocks.
struct CascadeSchedule {
    // The key length n, 1 .. 2^32 - 1 (every range end of a query is at most 2^32).
    std::uint64_t key_bits = 0;
    // Block size of each pass, pass 1 first; 1 .. 16 passes (the wire's `pass` field). A size of at
    // least key_bits / 2 makes a pass of two blocks, a random split of the key in halves.
    std::vector<std::uint64_t> block_bits;

    // Option (8) of Martinez-Mateo et al. (2015) for a QBER estimate p in [0, 0.5): with
    // a = log2(1/p) - 1/2, k1 = 2^ceil(a), k2 = 2^ceil((a + 12) / 2), k3 = 4096, k4..k14 = n/2. An
    // estimate below 1e-5 is taken as 1e-5 (k1 = 2^17), so that a key without errors costs few parities.
    static Result<CascadeSchedule> demystifying(std::uint64_t key_bits, double qber_estimate);

    // Checks the limits above; errors name the field ("key_bits", "block_bits").
    Status check() const;

    // Whether pass `pass` (1-based) is laid out as two random halves rather than blocks of a permutation.
    bool is_halving_pass(unsigned pass) const noexcept;
};

// What the two roles agree on before the first query.
struct CascadeConfig {
    std::uint64_t block_id = 0;  // the block of the session, copied into every message
    // Seeds the permutation of every pass: pass p's `permutation_seed` on the wire is a function of
    // this seed and p (permutation_seed_for), which the responder checks.
    std::uint64_t shuffle_seed = 0;
    CascadeSchedule schedule;
    // The corrector's alone (the responder answers any pass at any time): open the next pass as soon
    // as at most this many searches are open, instead of when none is (0, the order of Martinez-Mateo
    // et al.). Trades efficiency for round trips: the end of a pass is often one long chain of
    // cascades. Measured values in docs/postprocessing.md, "Round trips".
    std::uint32_t open_next_pass_at = 0;
};

// The permutation_seed a query of pass `pass` (1-based) carries under `shuffle_seed`.
std::uint64_t permutation_seed_for(std::uint64_t shuffle_seed, unsigned pass) noexcept;

// Holds the reference key and answers parity queries. Queries may come in any order and any number;
// each answered range discloses one bit.
class CascadeResponder final : public ReconciliationResponder {
public:
    // Errors: an invalid schedule; a key whose length is not schedule.key_bits (field "key",
    // length_mismatch).
    static Result<CascadeResponder> create(const CascadeConfig& config, const PackedBits& reference_key);

    // The typed fast path of receive(): the reply to one query. Errors (field named): another block
    // ("block_id"), a pass beyond the schedule ("pass"), a permutation seed other than the agreed one
    // ("permutation_seed"), a range that ends beyond the key ("ranges[].length").
    Result<wire::CascadeParityReply> answer(const wire::CascadeParityQuery& query);

    std::vector<wire::Message> take_outgoing() override;
    Status receive(const wire::Message& message) override;
    ReconciliationState state() const noexcept override;
    std::uint64_t disclosed_bits() const noexcept override;

    CascadeResponder(CascadeResponder&&) noexcept;
    CascadeResponder& operator=(CascadeResponder&&) noexcept;
    ~CascadeResponder() override;

    struct Impl;

private:
    explicit CascadeResponder(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// Holds the noisy key, asks, and corrects. Passes run one after the other (or overlap at their end,
// see CascadeConfig::open_next_pass_at); within a pass, all blocks are searched at once, so one round
// trip carries one query per pass that has open searches.
class CascadeCorrector final : public ReconciliationCorrector {
public:
    // Errors: an invalid schedule; a key whose length is not schedule.key_bits (field "key",
    // length_mismatch). The first query (pass 1's block parities) is ready at once.
    static Result<CascadeCorrector> create(const CascadeConfig& config, const PackedBits& noisy_key);

    // The typed fast path of take_outgoing(): the queries of the current round.
    std::vector<wire::CascadeParityQuery> take_queries();
    // The typed fast path of receive(). Errors (field named): another block ("block_id"), a reply to a
    // query not sent or already answered ("query_id"), a parity count other than the query's range
    // count ("parity_count"), replies that contradict each other ("parities": they would make the
    // corrector flip a bit it has already corrected); and any call once finished or failed.
    Status receive_reply(const wire::CascadeParityReply& reply);

    std::vector<wire::Message> take_outgoing() override;
    Status receive(const wire::Message& message) override;
    ReconciliationState state() const noexcept override;
    std::uint64_t disclosed_bits() const noexcept override;
    Result<PackedBits> corrected_key() const override;

    // Round trips so far: each round is one batch of queries and their replies.
    std::uint64_t round_trips() const noexcept;
    // Bits flipped in the noisy key so far.
    std::uint64_t corrected_bits() const noexcept;

    CascadeCorrector(CascadeCorrector&&) noexcept;
    CascadeCorrector& operator=(CascadeCorrector&&) noexcept;
    ~CascadeCorrector() override;

    struct Impl;

private:
    explicit CascadeCorrector(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace tfqkd::protocol
