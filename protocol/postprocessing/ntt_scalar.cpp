// The portable path: one word per "vector". The reference the vector paths are tested against, and
// the path of CPUs without AVX2.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "ntt.hpp"

namespace tfqkd::pp::ntt {
namespace scalar {

struct Ops {
    using V = Word;
    static constexpr std::size_t kLanes = 1;
    // With one lane there are no butterflies inside a vector.
    struct InVector {
        explicit InVector(const Word*) {}
    };

    static V load(const Word* p) { return *p; }
    static void store(Word* p, V v) { *p = v; }
    // Lane i's parity in bit i.
    static std::uint32_t parities(V v) { return v & 1U; }
    static V zero() { return 0; }
    // One bit, the word of one lane.
    static V from_bits(std::uint32_t bits, Word one) { return bits != 0 ? one : 0; }
    static V add(V x, V y) {
        const Word s = x + y;  // < 2p < 2^32
        return s >= kModulus ? s - kModulus : s;
    }
    static V sub(V x, V y) {
        const Word d = x + kModulus - y;  // in (0, 2p)
        return d >= kModulus ? d - kModulus : d;
    }
    static V sub_lazy(V x, V y) { return x + kModulus - y; }
    static V mul(V a, V w) { return montgomery_multiply(a, w); }
    static void dif_in_vector(Word*, const InVector&) {}
    static void dit_in_vector(Word*, const InVector&) {}
};

#include "ntt_kernel.inc"

}  // namespace scalar

const Kernels& scalar_kernels() noexcept {
    static const Kernels kernels{"scalar", &scalar::forward_transform<scalar::Ops>,
                                 &scalar::inverse_transform<scalar::Ops>, &scalar::multiply<scalar::Ops>,
                                 &scalar::convolve<scalar::Ops>,
                                 &scalar::forward_bits<scalar::Ops>, &scalar::convolve_bits<scalar::Ops>,
                                 &scalar::convolve_bits_parities<scalar::Ops>,
                                 &scalar::inverse_parities<scalar::Ops>};
    return kernels;
}

}  // namespace tfqkd::pp::ntt
