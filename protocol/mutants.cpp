// The selection of the mutant build: protocol/mutants.hpp. Compiled only into the mutant build of
// the conformance tests (conformance/tests/mutant_shims/), never into a library.
#include "mutants.hpp"

#include <algorithm>
#include <array>

namespace tfqkd::mutants {
namespace {

constexpr std::array kAll = {
#define TFQKD_MUTANT_INFO(name, description) Info{Mutant::name, #name, description},
    TFQKD_MUTANT_LIST(TFQKD_MUTANT_INFO)
#undef TFQKD_MUTANT_INFO
};

// Set once at start-up, before any party runs (the shims are single-threaded; the self-test
// switches it between calls into one party).
std::optional<Mutant> g_selected;
std::uint64_t g_hits = 0;

}  // namespace

std::span<const Info> all() noexcept { return kAll; }

std::optional<Mutant> find(std::string_view name) noexcept {
    for (const Info& info : kAll) {
        if (info.id.size() != name.size()) continue;
        const bool same = std::equal(info.id.begin(), info.id.end(), name.begin(), [](char a, char b) {
            return a == b || (a == '_' && b == '-');
        });
        if (same) return info.mutant;
    }
    return std::nullopt;
}

std::string shim_name(Mutant mutant) {
    std::string name(kAll[static_cast<std::size_t>(mutant)].id);
    std::replace(name.begin(), name.end(), '_', '-');
    return name;
}

void select(std::optional<Mutant> mutant) noexcept { g_selected = mutant; }

std::optional<Mutant> selected() noexcept { return g_selected; }

bool active(Mutant mutant) noexcept {
    if (g_selected != mutant) return false;
    ++g_hits;
    return true;
}

std::uint64_t hits() noexcept { return g_hits; }

}  // namespace tfqkd::mutants
