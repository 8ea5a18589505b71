// tfqkd-mutant-shim: the reference shim's program (conformance/shim/shim_main.cpp) over the mutant
// build of protocol/, whose mutation points (protocol/mutants.hpp) are switched by the first
// argument:
//
//   tfqkd-mutant-shim --mutant=NAME [the shim contract's flags]   NAME from the list, or "none"
//   tfqkd-mutant-shim --list                                      one "name<TAB>defect" per mutant
//
// The build makes one wrapper per mutant (mutant-NAME, beside this program) that passes its
// --mutant=NAME, so that the harness runs each as an ordinary shim. An unknown name is a usage
// error (exit status 2), never the reference behaviour; "none" is the reference behaviour.
#include <cstring>
#include <iostream>
#include <string_view>

#include "mutants.hpp"
#include "shim_main.hpp"

namespace {

constexpr int kExitUsage = 2;  // as the reference shim's bad flags
constexpr std::string_view kFlag = "--mutant=";

}  // namespace

int main(int argc, char** argv) {
    namespace mutants = tfqkd::mutants;
    const std::string_view first = argc > 1 ? argv[1] : "";
    if (first == "--list") {
        for (const mutants::Info& info : mutants::all())
            std::cout << mutants::shim_name(info.mutant) << "\t" << info.description << "\n";
        return 0;
    }
    if (first.substr(0, kFlag.size()) != kFlag) {
        std::cerr << "tfqkd mutant shim: the first argument is --mutant=NAME (a name of --list, or none), or --list\n";
        return kExitUsage;
    }
    const std::string_view name = first.substr(kFlag.size());
    if (name == "none") {
        mutants::select(std::nullopt);
    } else if (const auto mutant = mutants::find(name)) {
        mutants::select(*mutant);
    } else {
        std::cerr << "tfqkd mutant shim: unknown mutant '" << name << "'; accepted: none";
        for (const mutants::Info& info : mutants::all()) std::cerr << ", " << mutants::shim_name(info.mutant);
        std::cerr << "\n";
        return kExitUsage;
    }
    // The contract's flags follow, as if the program had been called without the first argument.
    argv[1] = argv[0];
    return tfqkd::conformance::shim::main(argc - 1, argv + 1);
}
