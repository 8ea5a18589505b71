// Mutation points: the defects of the conformance harness's mutant shims (docs/architecture.md,
// "conformance/"; conformance/tests/mutant_shims/). A private header of protocol/, never installed,
// included only by .cpp files, so no inline function or template changes meaning between builds.
//
// A mutation point is one `if` or `?:` at the place where a real implementation gets it wrong:
//
//     // Mutant skip_tag_check: a tag that does not verify is accepted.
//     } else if (!TFQKD_MUTANT(skip_tag_check)) {
//
// In the libraries (every production and test build of them) TFQKD_MUTANT(name) is the constant
// false: the branch is dead code the compiler drops, and the name must still be one of the list
// below. The mutant build (conformance/tests/mutant_shims/meson.build) recompiles only the files
// that hold mutation points, with -DTFQKD_MUTANTS, and takes every other object from the
// libraries. There TFQKD_MUTANT(name) asks whether `name` is the one mutant selected at start-up
// (select()), so each mutant shim runs the reference code with exactly one defect. The harness must
// catch every one: conformance/tests/mutant_shims/mutants.json names the roles each affects and
// the live tests expected to catch it.
//
// The list: X(name, "the defect, in one line"). The shim's name of a mutant is `name` with dashes
// for underscores ("skip-tag-check"). The Meson build reads the names from this list (one per
// line, each line starting with "X("), to make one wrapper script per mutant.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

// clang-format off
#define TFQKD_MUTANT_LIST(X) \
    X(skip_tag_check, "accepts a peer frame whose tag does not verify (the comparison is ignored)") \
    X(ignore_sequence, "does not compare a frame's sequence number with the next one expected") \
    X(ignore_session_id, "accepts frames of another session (the header's session id is not compared)") \
    X(tag_pad_reuses_hash_key, "uses a tag's hash key again as its one-time pad (the pad's bits are drawn, unused)") \
    X(accept_truncated_payload, "decodes a payload that ends inside a field as if it were padded with zeros") \
    X(ignore_block_id, "accepts a message about another block (the payload's block id is not compared)") \
    X(bob_adopts_proposal, "Bob runs the block on Alice's proposal when it differs from his configuration") \
    X(alice_skips_ack_digest, "Alice does not compare an acknowledgement's digest with her proposal's") \
    X(no_timeout, "never times out: a party whose peer went silent waits for ever") \
    X(clamp_report_to_block, "cuts a detection report that runs past the block at its end instead of aborting") \
    X(accept_report_out_of_order, "accepts a detection report that does not start where the previous one ended") \
    X(sift_keeps_double_clicks, "sifting keeps double-click events as key events") \
    X(aopp_keeps_second_bit, "keeps the second event's bit of an odd AOPP pair instead of the first's") \
    X(accept_aopp_reused_event, "Alice accepts an AOPP pairing that uses one event in two pairs") \
    X(cascade_answers_refused_query, "Alice answers a Cascade query outside her key (zero parities) instead of aborting") \
    X(skip_verification_compare, "Alice goes on when Bob's verification hash differs from her key's") \
    X(leakage_counted_in_bytes, "certifies with Cascade's disclosed parities counted in bytes, not bits") \
    X(omit_aopp_leakage, "leaves the AOPP counts' ceil(log2(n_t + 1)) bits out of the leakage") \
    X(overclaim_key_length, "compresses the key to 64 bits more than the certified length") \
    X(claim_counts_without_leakage, "reports the statistics of its key-length claim without the leakage it certified with") \
    X(bob_zero_pa_seed, "Bob compresses with an all-zero Toeplitz seed instead of the one Alice sent") \
    X(confirmation_omits_key_length, "leaves the key's length out of the message its key confirmation tags") \
    X(skip_confirmation_check, "does not compare the peer's key confirmation with its own key's") \
    X(keep_key_after_abort, "keeps and outputs the key when the block aborts after the key was made") \
    X(charlie_digests_frame, "Charlie's acknowledgement digests the whole frame, not the parameters' payload") \
    X(charlie_swaps_clicks, "Charlie reports a left click as right and a right click as left") \
    X(charlie_last_report_short, "Charlie's last report ends at slot N - 1, one short of the block") \
    X(charlie_no_final_report, "Charlie never sends the report that closes the block")
// clang-format on

namespace tfqkd::mutants {

enum class Mutant : std::uint8_t {
#define TFQKD_MUTANT_ENUM(name, description) name,
    TFQKD_MUTANT_LIST(TFQKD_MUTANT_ENUM)
#undef TFQKD_MUTANT_ENUM
};

// A mutation point in the libraries: never taken. Naming the enumerator checks the name.
constexpr bool never(Mutant) noexcept { return false; }

// The rest is defined only in the mutant build (protocol/mutants.cpp).

struct Info {
    Mutant mutant;
    std::string_view id;           // the list's name, "skip_tag_check"
    std::string_view description;  // the defect
};

// Every mutant, in the list's order.
std::span<const Info> all() noexcept;
// "skip-tag-check" (the shim's name) or "skip_tag_check"; std::nullopt for an unknown name.
std::optional<Mutant> find(std::string_view name) noexcept;
// The shim's name of a mutant: "skip-tag-check".
std::string shim_name(Mutant mutant);

// Selects the one mutant whose mutation points are taken (std::nullopt: none, the reference
// behaviour). Call it before any party runs; active() reads it without synchronisation.
void select(std::optional<Mutant> mutant) noexcept;
std::optional<Mutant> selected() noexcept;
// True when `mutant` is the one selected; counts the times it was (hits(), over the process's
// life), so that a test can show a mutation point was reached. A mutation point tests its mutant
// last in its condition, so that a hit is a time the defect changed what the code did.
bool active(Mutant mutant) noexcept;
std::uint64_t hits() noexcept;

}  // namespace tfqkd::mutants

#ifdef TFQKD_MUTANTS
#define TFQKD_MUTANT(name) (::tfqkd::mutants::active(::tfqkd::mutants::Mutant::name))
#else
#define TFQKD_MUTANT(name) (::tfqkd::mutants::never(::tfqkd::mutants::Mutant::name))
#endif
