// The A64 encoders against llvm-mc: every case below is an encoder call
// and the assembly it stands for; a64_encodings.txt holds the word llvm-mc
// gave that assembly (check_a64_encodings.sh keeps it honest). The table is
// compiled in, so the test runs under qemu with no LLVM around.
#include "jit/arm64/a64_encoding.h"

#include <gtest/gtest.h>

#include <bit>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace sbpf::jit::a64 {
namespace {

constexpr std::string_view kTable =
#include "a64_encodings_table.inc"
    ;

// Encoders are usable in constant expressions.
static_assert(add_imm(true, SP, SP, 16) == 0x910043FFu);
static_assert(ret() == 0xD65F03C0u);
static_assert(logical_immediate(true, 0xFF) == LogicalImmediate{1, 0, 7});
static_assert(!logical_immediate(false, 0x1234).has_value());

// ---- the table ----

struct TableRow {
  uint32_t word;
  int line;
};

// "assembly   0xWORD" per line; blank lines and lines starting with '#'
// are comments.
std::map<std::string, TableRow> parse_table(std::vector<std::string>& errors) {
  std::map<std::string, TableRow> rows;
  int line_number = 0;
  size_t start = 0;
  while (start < kTable.size()) {
    size_t end = kTable.find('\n', start);
    if (end == std::string_view::npos) end = kTable.size();
    std::string line(kTable.substr(start, end - start));
    start = end + 1;
    ++line_number;
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    const size_t space = line.rfind(' ');
    std::string text = space == std::string::npos ? "" : line.substr(0, space);
    while (!text.empty() && text.back() == ' ') text.pop_back();
    const std::string hex = space == std::string::npos ? line : line.substr(space + 1);
    char* rest = nullptr;
    const unsigned long word = std::strtoul(hex.c_str(), &rest, 16);
    if (text.empty() || hex.size() != 10 || hex.rfind("0x", 0) != 0 || *rest != '\0') {
      errors.push_back("line " + std::to_string(line_number) + ": not `assembly 0xWORD`: " + line);
      continue;
    }
    if (!rows.emplace(text, TableRow{static_cast<uint32_t>(word), line_number}).second) {
      errors.push_back("line " + std::to_string(line_number) + ": duplicate: " + text);
    }
  }
  return rows;
}

// ---- the cases: assembly as llvm-mc accepts it, and the encoder call ----

struct Case {
  std::string text;
  uint32_t word;
};

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%" PRIx64, v);
  return buf;
}
// A register's name with 31 as the zero register (cases that mean SP say so).
std::string r(bool sf, Reg reg) {
  if (reg == XZR) return sf ? "xzr" : "wzr";
  return (sf ? "x" : "w") + std::to_string(reg);
}

constexpr const char* kCondNames[16] = {"eq", "ne", "hs", "lo", "mi", "pl", "vs", "vc",
                                        "hi", "ls", "ge", "lt", "gt", "le", "al", "nv"};
constexpr Order kOrders[4] = {Order::Plain, Order::Acquire, Order::Release, Order::AcqRel};
constexpr const char* kOrderSuffixes[4] = {"", "a", "l", "al"};

LogicalImmediate bitmask(bool sf, uint64_t v) {
  const std::optional<LogicalImmediate> imm = logical_immediate(sf, v);
  EXPECT_TRUE(imm.has_value()) << hex(v);
  return imm.value_or(LogicalImmediate{0, 0, 0});
}

std::vector<Case> all_cases() {
  std::vector<Case> c;
  auto add = [&c](std::string text, uint32_t word) { c.push_back({std::move(text), word}); };

  // Add/subtract (immediate)
  for (const bool sf : {true, false}) {
    const std::string sp = sf ? "sp" : "wsp", x0 = r(sf, X0), x1 = r(sf, X1);
    add("add " + x0 + ", " + x1 + ", #0", add_imm(sf, X0, X1, 0));
    add("add " + x0 + ", " + x1 + ", #4095", add_imm(sf, X0, X1, 4095));
    add("add " + x0 + ", " + x1 + ", #4095, lsl #12", add_imm(sf, X0, X1, 4095, true));
    add("add " + sp + ", " + sp + ", #16", add_imm(sf, SP, SP, 16));
    add("add " + r(sf, X30) + ", " + sp + ", #1, lsl #12", add_imm(sf, X30, SP, 1, true));
    add("adds " + x0 + ", " + sp + ", #4095", adds_imm(sf, X0, SP, 4095));
    add("adds " + r(sf, XZR) + ", " + x1 + ", #1", adds_imm(sf, XZR, X1, 1));
    add("sub " + r(sf, X30) + ", " + r(sf, X29) + ", #1", sub_imm(sf, X30, X29, 1));
    add("sub " + sp + ", " + sp + ", #4095, lsl #12", sub_imm(sf, SP, SP, 4095, true));
    add("subs " + x0 + ", " + x1 + ", #0", subs_imm(sf, X0, X1, 0));
    add("subs " + r(sf, XZR) + ", " + sp + ", #7", subs_imm(sf, XZR, SP, 7));
    add("cmp " + x0 + ", #4095", cmp_imm(sf, X0, 4095));
    add("cmp " + sp + ", #1", cmp_imm(sf, SP, 1));
    add("cmp " + x1 + ", #1, lsl #12", cmp_imm(sf, X1, 1, true));
    add("cmn " + x1 + ", #1", cmn_imm(sf, X1, 1));
    add("cmn " + sp + ", #4095, lsl #12", cmn_imm(sf, SP, 4095, true));
    add("mov " + sp + ", " + x0, mov_sp(sf, SP, X0));
    add("mov " + x0 + ", " + sp, mov_sp(sf, X0, SP));
  }

  // PC-rel. addressing
  add("adr x0, #0", adr(X0, 0));
  add("adr x30, #3", adr(X30, 3));
  add("adr x1, #-1048576", adr(X1, -1048576));
  add("adr x2, #1048575", adr(X2, 1048575));
  add("adr xzr, #-1", adr(XZR, -1));

  // Logical (immediate)
  // clang-format off
  const uint64_t masks64[] = {
      0x1, 0xff, 0xffff, 0xffffffff, 0xfffffffffffffffe, 0x5555555555555555, 0xaaaaaaaaaaaaaaaa,
      0x8000000000000000, 0x7fffffffffffffff, 0x00ff00ff00ff00ff, 0x0f0f0f0f0f0f0f0f, 0x3333333333333333,
      0xffff0000ffff0000, 0x8000000000000001, 0xfffffffffffff000, 0xff0, 0x1111111111111111, 0xc000000000000003,
      0x8080808080808080, 0x7ffe7ffe7ffe7ffe};
  // clang-format on
  for (const uint64_t v : masks64) add("and x0, x1, #" + hex(v), and_imm(true, X0, X1, bitmask(true, v)));
  const uint64_t masks32[] = {0x1,        0xff,       0xffff,     0x7fffffff, 0x80000000, 0xfffffffe, 0x55555555,
                              0xaaaaaaaa, 0x0f0f0f0f, 0x80000001, 0xff00ff00, 0xfff0,     0x1ffffffe, 0xe0000000};
  for (const uint64_t v : masks32) add("and w0, w1, #" + hex(v), and_imm(false, X0, X1, bitmask(false, v)));
  add("and sp, x1, #0xff", and_imm(true, SP, X1, bitmask(true, 0xff)));
  add("and wsp, wzr, #0x1", and_imm(false, SP, XZR, bitmask(false, 1)));
  add("orr x0, xzr, #0xff00", orr_imm(true, X0, XZR, bitmask(true, 0xff00)));
  add("orr w30, w29, #0x3c", orr_imm(false, X30, X29, bitmask(false, 0x3c)));
  add("orr sp, x1, #0x5555555555555555", orr_imm(true, SP, X1, bitmask(true, 0x5555555555555555)));
  add("eor x0, x1, #0xfffffffffffffffe", eor_imm(true, X0, X1, bitmask(true, 0xfffffffffffffffe)));
  add("eor wsp, w1, #0x80000000", eor_imm(false, SP, X1, bitmask(false, 0x80000000)));
  add("ands x0, x1, #0x7", ands_imm(true, X0, X1, bitmask(true, 7)));
  add("ands w30, wzr, #0xfffe", ands_imm(false, X30, XZR, bitmask(false, 0xfffe)));
  add("tst x1, #0x8000000000000000", tst_imm(true, X1, bitmask(true, 0x8000000000000000)));
  add("tst w1, #0xf", tst_imm(false, X1, bitmask(false, 0xf)));

  // Move wide (immediate)
  add("movz x0, #0", movz(true, X0, 0));
  add("movz x0, #0xffff, lsl #48", movz(true, X0, 0xffff, 3));
  add("movz x30, #0x1234, lsl #16", movz(true, X30, 0x1234, 1));
  add("movz x1, #0x1, lsl #32", movz(true, X1, 1, 2));
  add("movz w0, #0xffff, lsl #16", movz(false, X0, 0xffff, 1));
  add("movz wzr, #0x1", movz(false, XZR, 1));
  add("movn x0, #0", movn(true, X0, 0));
  add("movn w0, #0xffff", movn(false, X0, 0xffff));
  add("movn x1, #0x1, lsl #32", movn(true, X1, 1, 2));
  add("movn x2, #0xffff, lsl #48", movn(true, X2, 0xffff, 3));
  add("movn w3, #0x8000, lsl #16", movn(false, X3, 0x8000, 1));
  add("movk x0, #0xffff, lsl #48", movk(true, X0, 0xffff, 3));
  add("movk x2, #0xbeef, lsl #32", movk(true, X2, 0xbeef, 2));
  add("movk x3, #0x1", movk(true, X3, 1));
  add("movk w0, #0x1, lsl #16", movk(false, X0, 1, 1));
  add("movk w30, #0xffff", movk(false, X30, 0xffff));

  // Bitfield
  add("sbfm x0, x1, #1, #2", sbfm(true, X0, X1, 1, 2));
  add("sbfm w0, w1, #31, #0", sbfm(false, X0, X1, 31, 0));
  add("bfm x0, x1, #63, #0", bfm(true, X0, X1, 63, 0));
  add("bfm w2, w3, #0, #31", bfm(false, X2, X3, 0, 31));
  add("ubfm w0, w1, #31, #31", ubfm(false, X0, X1, 31, 31));
  add("ubfm x30, xzr, #0, #0", ubfm(true, X30, XZR, 0, 0));
  add("ubfm x0, x1, #63, #63", ubfm(true, X0, X1, 63, 63));
  for (const bool sf : {true, false}) {
    const unsigned top = sf ? 63 : 31;
    const std::string x0 = r(sf, X0), x1 = r(sf, X1);
    for (const unsigned s : {0u, 1u, 8u, top}) {
      add("lsl " + x0 + ", " + x1 + ", #" + std::to_string(s), lsl_imm(sf, X0, X1, s));
      add("lsr " + x0 + ", " + x1 + ", #" + std::to_string(s), lsr_imm(sf, X0, X1, s));
      add("asr " + x0 + ", " + x1 + ", #" + std::to_string(s), asr_imm(sf, X0, X1, s));
    }
    add("sxtb " + x0 + ", w1", sxtb(sf, X0, X1));
    add("sxth " + r(sf, X30) + ", wzr", sxth(sf, X30, XZR));
    add("ubfx " + x0 + ", " + x1 + ", #8, #8", ubfx(sf, X0, X1, 8, 8));
    add("ubfx " + x0 + ", " + x1 + ", #" + std::to_string(top) + ", #1", ubfx(sf, X0, X1, top, 1));
    add("ubfx " + x0 + ", " + x1 + ", #0, #" + std::to_string(top + 1), ubfx(sf, X0, X1, 0, top + 1));
    add("sbfx " + x0 + ", " + x1 + ", #4, #" + std::to_string(top - 3), sbfx(sf, X0, X1, 4, top - 3));
    add("sbfx " + x0 + ", " + x1 + ", #0, #1", sbfx(sf, X0, X1, 0, 1));
    add("bfi " + x0 + ", " + x1 + ", #8, #16", bfi(sf, X0, X1, 8, 16));
    add("bfi " + x0 + ", " + x1 + ", #" + std::to_string(top) + ", #1", bfi(sf, X0, X1, top, 1));
    add("bfi " + x0 + ", " + x1 + ", #1, #" + std::to_string(top), bfi(sf, X0, X1, 1, top));
  }
  add("lsl w30, wzr, #5", lsl_imm(false, X30, XZR, 5));
  add("uxtb w0, w1", uxtb(X0, X1));
  add("uxtb w30, wzr", uxtb(X30, XZR));
  add("uxth w0, w1", uxth(X0, X1));
  add("uxth w29, w30", uxth(X29, X30));
  add("sxtw x0, w1", sxtw(X0, X1));
  add("sxtw x30, wzr", sxtw(X30, XZR));

  // Extract
  add("extr x0, x1, x2, #0", extr(true, X0, X1, X2, 0));
  add("extr x0, x1, x2, #63", extr(true, X0, X1, X2, 63));
  add("extr w0, w1, w2, #31", extr(false, X0, X1, X2, 31));
  add("extr xzr, x30, xzr, #7", extr(true, XZR, X30, XZR, 7));
  add("ror x0, x1, #1", ror_imm(true, X0, X1, 1));
  add("ror x0, x1, #63", ror_imm(true, X0, X1, 63));
  add("ror w0, w1, #31", ror_imm(false, X0, X1, 31));
  add("ror w3, w4, #16", ror_imm(false, X3, X4, 16));

  // Add/subtract (shifted register)
  for (const bool sf : {true, false}) {
    const unsigned top = sf ? 63 : 31;
    const std::string x0 = r(sf, X0), x1 = r(sf, X1), x2 = r(sf, X2);
    add("add " + x0 + ", " + x1 + ", " + x2, add_reg(sf, X0, X1, X2));
    add("add " + x0 + ", " + x1 + ", " + x2 + ", lsl #" + std::to_string(top),
        add_reg(sf, X0, X1, X2, Shift::LSL, top));
    add("add " + x0 + ", " + x1 + ", " + x2 + ", lsr #1", add_reg(sf, X0, X1, X2, Shift::LSR, 1));
    add("add " + x0 + ", " + x1 + ", " + x2 + ", asr #" + std::to_string(top),
        add_reg(sf, X0, X1, X2, Shift::ASR, top));
    add("add " + r(sf, XZR) + ", " + r(sf, XZR) + ", " + r(sf, XZR), add_reg(sf, XZR, XZR, XZR));
    add("adds " + r(sf, X30) + ", " + r(sf, X29) + ", " + r(sf, X28) + ", lsl #3",
        adds_reg(sf, X30, X29, X28, Shift::LSL, 3));
    add("sub " + x0 + ", " + x1 + ", " + x2, sub_reg(sf, X0, X1, X2));
    add("sub " + x0 + ", " + x1 + ", " + x2 + ", asr #2", sub_reg(sf, X0, X1, X2, Shift::ASR, 2));
    add("subs " + x0 + ", " + x1 + ", " + x2 + ", lsr #" + std::to_string(top),
        subs_reg(sf, X0, X1, X2, Shift::LSR, top));
    add("cmp " + x0 + ", " + x1, cmp_reg(sf, X0, X1));
    add("cmp " + x0 + ", " + x1 + ", lsl #31", cmp_reg(sf, X0, X1, Shift::LSL, 31));
    add("cmn " + x0 + ", " + x1 + ", asr #2", cmn_reg(sf, X0, X1, Shift::ASR, 2));
    add("neg " + x0 + ", " + x1, neg(sf, X0, X1));
    add("neg " + x0 + ", " + x1 + ", lsl #3", neg(sf, X0, X1, Shift::LSL, 3));
    add("neg " + r(sf, X30) + ", " + r(sf, X29) + ", asr #" + std::to_string(top), neg(sf, X30, X29, Shift::ASR, top));
  }

  // Logical (shifted register)
  for (const bool sf : {true, false}) {
    const unsigned top = sf ? 63 : 31;
    const std::string x0 = r(sf, X0), x1 = r(sf, X1), x2 = r(sf, X2), t = std::to_string(top);
    add("and " + x0 + ", " + x1 + ", " + x2, and_reg(sf, X0, X1, X2));
    add("and " + x0 + ", " + x1 + ", " + x2 + ", ror #" + t, and_reg(sf, X0, X1, X2, Shift::ROR, top));
    add("bic " + x0 + ", " + x1 + ", " + x2, bic_reg(sf, X0, X1, X2));
    add("bic " + x0 + ", " + x1 + ", " + x2 + ", lsl #1", bic_reg(sf, X0, X1, X2, Shift::LSL, 1));
    add("orr " + x0 + ", " + x1 + ", " + x2, orr_reg(sf, X0, X1, X2));
    add("orr " + x0 + ", " + x1 + ", " + x2 + ", lsr #" + t, orr_reg(sf, X0, X1, X2, Shift::LSR, top));
    add("orn " + x0 + ", " + x1 + ", " + x2, orn_reg(sf, X0, X1, X2));
    add("orn " + x0 + ", " + x1 + ", " + x2 + ", asr #7", orn_reg(sf, X0, X1, X2, Shift::ASR, 7));
    add("eor " + x0 + ", " + x1 + ", " + x2, eor_reg(sf, X0, X1, X2));
    add("eor " + x0 + ", " + x1 + ", " + x2 + ", ror #1", eor_reg(sf, X0, X1, X2, Shift::ROR, 1));
    add("eon " + x0 + ", " + x1 + ", " + x2, eon_reg(sf, X0, X1, X2));
    add("ands " + x0 + ", " + x1 + ", " + x2, ands_reg(sf, X0, X1, X2));
    add("ands " + r(sf, X30) + ", " + r(sf, XZR) + ", " + r(sf, X29) + ", lsl #" + t,
        ands_reg(sf, X30, XZR, X29, Shift::LSL, top));
    add("bics " + x0 + ", " + x1 + ", " + x2, bics_reg(sf, X0, X1, X2));
    add("tst " + x0 + ", " + x1, tst_reg(sf, X0, X1));
    add("tst " + x0 + ", " + x1 + ", ror #" + t, tst_reg(sf, X0, X1, Shift::ROR, top));
    add("mov " + x0 + ", " + x1, mov_reg(sf, X0, X1));
    add("mov " + r(sf, X30) + ", " + r(sf, XZR), mov_reg(sf, X30, XZR));
    add("mvn " + x0 + ", " + x1, mvn(sf, X0, X1));
    add("mvn " + x0 + ", " + x1 + ", lsr #4", mvn(sf, X0, X1, Shift::LSR, 4));
  }

  // Data-processing (2 source)
  for (const bool sf : {true, false}) {
    const std::string ops = r(sf, X0) + ", " + r(sf, X1) + ", " + r(sf, X2);
    const std::string high = r(sf, X30) + ", " + r(sf, XZR) + ", " + r(sf, X29);
    add("udiv " + ops, udiv(sf, X0, X1, X2));
    add("udiv " + high, udiv(sf, X30, XZR, X29));
    add("sdiv " + ops, sdiv(sf, X0, X1, X2));
    add("sdiv " + high, sdiv(sf, X30, XZR, X29));
    add("lslv " + ops, lslv(sf, X0, X1, X2));
    add("lsrv " + ops, lsrv(sf, X0, X1, X2));
    add("asrv " + ops, asrv(sf, X0, X1, X2));
    add("rorv " + ops, rorv(sf, X0, X1, X2));
    add("rorv " + high, rorv(sf, X30, XZR, X29));
  }

  // Data-processing (3 source)
  for (const bool sf : {true, false}) {
    const std::string ops = r(sf, X0) + ", " + r(sf, X1) + ", " + r(sf, X2);
    add("madd " + ops + ", " + r(sf, X3), madd(sf, X0, X1, X2, X3));
    add("madd " + ops + ", " + r(sf, X30), madd(sf, X0, X1, X2, X30));
    add("msub " + ops + ", " + r(sf, X3), msub(sf, X0, X1, X2, X3));
    add("msub " + r(sf, X30) + ", " + r(sf, X29) + ", " + r(sf, X28) + ", " + r(sf, X27), msub(sf, X30, X29, X28, X27));
    add("mul " + ops, mul(sf, X0, X1, X2));
    add("mul " + r(sf, X30) + ", " + r(sf, XZR) + ", " + r(sf, X29), mul(sf, X30, XZR, X29));
  }

  // Data-processing (1 source)
  add("rev16 x0, x1", rev16(true, X0, X1));
  add("rev16 w0, w1", rev16(false, X0, X1));
  add("rev32 x0, x1", rev32(X0, X1));
  add("rev32 x30, xzr", rev32(X30, XZR));
  add("rev x0, x1", rev(true, X0, X1));
  add("rev w0, w1", rev(false, X0, X1));
  add("rev x30, x29", rev(true, X30, X29));
  add("rev wzr, w30", rev(false, XZR, X30));

  // Conditional select
  for (unsigned i = 0; i < 16; ++i) {
    const Cond cond = static_cast<Cond>(i);
    const std::string name = kCondNames[i];
    add("csel x0, x1, x2, " + name, csel(true, X0, X1, X2, cond));
    add("csinc w3, w4, w5, " + name, csinc(false, X3, X4, X5, cond));
    if (i < 14) {  // CSET and CSETM take no AL or NV
      add("cset x0, " + name, cset(true, X0, cond));
      add("cset w30, " + name, cset(false, X30, cond));
      add("csetm x1, " + name, csetm(true, X1, cond));
    }
  }
  add("csel w0, w1, w2, lt", csel(false, X0, X1, X2, Cond::LT));
  add("csel x30, xzr, x29, cs", csel(true, X30, XZR, X29, Cond::CS));
  add("csinc x0, x1, x2, cc", csinc(true, X0, X1, X2, Cond::CC));
  add("csinv x0, x1, x2, eq", csinv(true, X0, X1, X2, Cond::EQ));
  add("csinv w0, w1, w2, nv", csinv(false, X0, X1, X2, Cond::NV));
  add("csneg x0, x1, x2, ge", csneg(true, X0, X1, X2, Cond::GE));
  add("csneg w30, wzr, w29, hi", csneg(false, X30, XZR, X29, Cond::HI));
  add("csetm w0, le", csetm(false, X0, Cond::LE));

  // Load/store register (unsigned immediate)
  add("ldrb w0, [x1]", ldr_imm(Size::k8, X0, X1));
  add("ldrb w0, [x1, #4095]", ldr_imm(Size::k8, X0, X1, 4095));
  add("ldrh w0, [x1, #2]", ldr_imm(Size::k16, X0, X1, 2));
  add("ldrh w0, [x1, #8190]", ldr_imm(Size::k16, X0, X1, 8190));
  add("ldr w0, [x1, #16380]", ldr_imm(Size::k32, X0, X1, 16380));
  add("ldr x0, [x1, #32760]", ldr_imm(Size::k64, X0, X1, 32760));
  add("ldr x0, [sp, #8]", ldr_imm(Size::k64, X0, SP, 8));
  add("ldr w30, [sp]", ldr_imm(Size::k32, X30, SP));
  add("ldr xzr, [x0]", ldr_imm(Size::k64, XZR, X0));
  add("strb w0, [x1, #4095]", str_imm(Size::k8, X0, X1, 4095));
  add("strb wzr, [sp]", str_imm(Size::k8, XZR, SP));
  add("strh w0, [x1, #8190]", str_imm(Size::k16, X0, X1, 8190));
  add("str w0, [x1, #4]", str_imm(Size::k32, X0, X1, 4));
  add("str wzr, [x0, #16380]", str_imm(Size::k32, XZR, X0, 16380));
  add("str x0, [x1, #32760]", str_imm(Size::k64, X0, X1, 32760));
  add("str xzr, [sp]", str_imm(Size::k64, XZR, SP));
  add("ldrsb x0, [x1, #4095]", ldrs_imm(Size::k8, X0, X1, 4095));
  add("ldrsb x0, [sp]", ldrs_imm(Size::k8, X0, SP));
  add("ldrsh x0, [x1, #8190]", ldrs_imm(Size::k16, X0, X1, 8190));
  add("ldrsw x0, [x1, #16380]", ldrs_imm(Size::k32, X0, X1, 16380));
  add("ldrsw x30, [sp, #4]", ldrs_imm(Size::k32, X30, SP, 4));

  // Load/store register (unscaled immediate)
  add("ldurb w0, [x1, #-256]", ldur(Size::k8, X0, X1, -256));
  add("ldurb w0, [x1, #255]", ldur(Size::k8, X0, X1, 255));
  add("ldurh w0, [x1, #255]", ldur(Size::k16, X0, X1, 255));
  add("ldur w0, [x1, #-1]", ldur(Size::k32, X0, X1, -1));
  add("ldur x0, [sp, #-8]", ldur(Size::k64, X0, SP, -8));
  add("ldur x30, [x1, #1]", ldur(Size::k64, X30, X1, 1));
  add("ldur x0, [x1]", ldur(Size::k64, X0, X1, 0));
  add("sturb w0, [x1, #-1]", stur(Size::k8, X0, X1, -1));
  add("sturh wzr, [sp, #-256]", stur(Size::k16, XZR, SP, -256));
  add("stur w0, [x1, #255]", stur(Size::k32, X0, X1, 255));
  add("stur x0, [x1, #-256]", stur(Size::k64, X0, X1, -256));
  add("stur xzr, [x29, #-16]", stur(Size::k64, XZR, X29, -16));
  add("ldursb x0, [x1, #-256]", ldurs(Size::k8, X0, X1, -256));
  add("ldursh x0, [x1, #1]", ldurs(Size::k16, X0, X1, 1));
  add("ldursw x0, [x1, #255]", ldurs(Size::k32, X0, X1, 255));
  add("ldursw x30, [sp, #-4]", ldurs(Size::k32, X30, SP, -4));

  // Load/store register (register offset)
  add("ldrb w0, [x1, x2]", ldr_reg(Size::k8, X0, X1, X2));
  add("ldrh w0, [x1, x2]", ldr_reg(Size::k16, X0, X1, X2));
  add("ldr w0, [x1, x2]", ldr_reg(Size::k32, X0, X1, X2));
  add("ldr x0, [x1, x2]", ldr_reg(Size::k64, X0, X1, X2));
  add("ldrb w0, [x1, x2, lsl #0]", ldr_reg(Size::k8, X0, X1, X2, true));
  add("ldrh w0, [x1, x2, lsl #1]", ldr_reg(Size::k16, X0, X1, X2, true));
  add("ldr w0, [x1, x2, lsl #2]", ldr_reg(Size::k32, X0, X1, X2, true));
  add("ldr x0, [x1, x2, lsl #3]", ldr_reg(Size::k64, X0, X1, X2, true));
  add("ldr x0, [sp, xzr]", ldr_reg(Size::k64, X0, SP, XZR));
  add("ldr x30, [x29, x28]", ldr_reg(Size::k64, X30, X29, X28));
  add("strb w0, [x1, x2]", str_reg(Size::k8, X0, X1, X2));
  add("strh w0, [x1, x2, lsl #1]", str_reg(Size::k16, X0, X1, X2, true));
  add("str w0, [x1, x2]", str_reg(Size::k32, X0, X1, X2));
  add("str x0, [x1, x2]", str_reg(Size::k64, X0, X1, X2));
  add("str xzr, [sp, x30]", str_reg(Size::k64, XZR, SP, X30));
  add("ldrsb x0, [x1, x2]", ldrs_reg(Size::k8, X0, X1, X2));
  add("ldrsh x0, [x1, x2]", ldrs_reg(Size::k16, X0, X1, X2));
  add("ldrsw x0, [x1, x2]", ldrs_reg(Size::k32, X0, X1, X2));
  add("ldrsw x0, [x1, x2, lsl #2]", ldrs_reg(Size::k32, X0, X1, X2, true));

  // Load/store register pair
  add("stp x29, x30, [sp, #-16]!", stp_pre(true, X29, X30, SP, -16));
  add("ldp x29, x30, [sp], #16", ldp_post(true, X29, X30, SP, 16));
  add("stp x0, x1, [x2]", stp(true, X0, X1, X2));
  add("stp x0, x1, [x2, #-512]", stp(true, X0, X1, X2, -512));
  add("stp xzr, xzr, [sp, #504]", stp(true, XZR, XZR, SP, 504));
  add("ldp x0, x1, [x2, #504]", ldp(true, X0, X1, X2, 504));
  add("ldp x0, x1, [x2, #-8]", ldp(true, X0, X1, X2, -8));
  add("ldp x19, x20, [sp, #-512]!", ldp_pre(true, X19, X20, SP, -512));
  add("ldp x0, x1, [x2, #504]!", ldp_pre(true, X0, X1, X2, 504));
  add("ldp x0, x1, [x2], #-512", ldp_post(true, X0, X1, X2, -512));
  add("stp x19, x20, [sp, #504]!", stp_pre(true, X19, X20, SP, 504));
  add("stp x0, x1, [x2], #-512", stp_post(true, X0, X1, X2, -512));
  add("stp x0, x1, [sp], #504", stp_post(true, X0, X1, SP, 504));
  add("stp w0, w1, [sp, #-256]!", stp_pre(false, X0, X1, SP, -256));
  add("stp w0, w1, [x2, #252]", stp(false, X0, X1, X2, 252));
  add("stp w0, wzr, [x2], #4", stp_post(false, X0, XZR, X2, 4));
  add("ldp w0, w1, [x2, #-256]", ldp(false, X0, X1, X2, -256));
  add("ldp w0, w1, [sp, #252]!", ldp_pre(false, X0, X1, SP, 252));
  add("ldp w0, w1, [x2], #-4", ldp_post(false, X0, X1, X2, -4));

  // Unconditional branch (immediate)
  for (const int64_t d : {int64_t{0}, int64_t{4}, int64_t{-4}, int64_t{134217724}, int64_t{-134217728}}) {
    add("b #" + std::to_string(d), b(d));
    add("bl #" + std::to_string(d), bl(d));
  }

  // Conditional branch (immediate)
  for (unsigned i = 0; i < 16; ++i) add(std::string("b.") + kCondNames[i] + " #8", b_cond(static_cast<Cond>(i), 8));
  add("b.eq #1048572", b_cond(Cond::EQ, 1048572));
  add("b.ne #-1048576", b_cond(Cond::NE, -1048576));
  add("b.lt #-4", b_cond(Cond::LT, -4));
  add("b.hs #0", b_cond(Cond::CS, 0));

  // Compare and branch (immediate)
  add("cbz x0, #0", cbz(true, X0, 0));
  add("cbz w30, #1048572", cbz(false, X30, 1048572));
  add("cbz xzr, #-1048576", cbz(true, XZR, -1048576));
  add("cbnz x0, #-4", cbnz(true, X0, -4));
  add("cbnz w0, #1048572", cbnz(false, X0, 1048572));
  add("cbnz x30, #-1048576", cbnz(true, X30, -1048576));

  // Test and branch (immediate)
  add("tbz w0, #0, #0", tbz(X0, 0, 0));
  add("tbz w1, #31, #32764", tbz(X1, 31, 32764));
  add("tbz x0, #32, #-4", tbz(X0, 32, -4));
  add("tbz x0, #63, #-32768", tbz(X0, 63, -32768));
  add("tbz wzr, #5, #4", tbz(XZR, 5, 4));
  add("tbnz w30, #31, #32764", tbnz(X30, 31, 32764));
  add("tbnz x1, #32, #4", tbnz(X1, 32, 4));
  add("tbnz x2, #63, #-32768", tbnz(X2, 63, -32768));
  add("tbnz w3, #7, #-8", tbnz(X3, 7, -8));

  // Unconditional branch (register)
  add("br x0", br(X0));
  add("br x30", br(X30));
  add("blr x16", blr(X16));
  add("blr x1", blr(X1));
  add("ret", ret());
  add("ret x1", ret(X1));
  add("ret x29", ret(X29));

  // Atomic memory operations
  const struct {
    const char* name;
    uint32_t (*encode)(bool, Order, Reg, Reg, Reg);
  } atomics[] = {{"ldadd", ldadd}, {"ldclr", ldclr}, {"ldeor", ldeor}, {"ldset", ldset}, {"swp", swp}};
  for (const auto& op : atomics) {
    for (unsigned o = 0; o < 4; ++o) {
      for (const bool sf : {true, false}) {
        add(std::string(op.name) + kOrderSuffixes[o] + " " + r(sf, X0) + ", " + r(sf, X1) + ", [x2]",
            op.encode(sf, kOrders[o], X0, X1, X2));
      }
    }
  }
  add("ldaddal x30, x29, [sp]", ldadd(true, Order::AcqRel, X30, X29, SP));
  add("ldadd x0, xzr, [x2]", ldadd(true, Order::Plain, X0, XZR, X2));
  add("ldaddl w0, wzr, [sp]", ldadd(false, Order::Release, X0, XZR, SP));
  add("ldclral xzr, x1, [x2]", ldclr(true, Order::AcqRel, XZR, X1, X2));
  add("swpal x30, x29, [x28]", swp(true, Order::AcqRel, X30, X29, X28));
  add("ldseta w3, w4, [sp]", ldset(false, Order::Acquire, X3, X4, SP));

  // Compare and swap
  for (unsigned o = 0; o < 4; ++o) {
    for (const bool sf : {true, false}) {
      add(std::string("cas") + kOrderSuffixes[o] + " " + r(sf, X0) + ", " + r(sf, X1) + ", [x2]",
          cas(sf, kOrders[o], X0, X1, X2));
    }
  }
  add("cas x0, x1, [sp]", cas(true, Order::Plain, X0, X1, SP));
  add("casal w30, wzr, [x29]", cas(false, Order::AcqRel, X30, XZR, X29));

  // Load/store exclusive register
  for (const bool sf : {true, false}) {
    const std::string t = r(sf, X0);
    add("ldxr " + t + ", [x1]", ldxr(sf, X0, X1));
    add("ldaxr " + t + ", [x1]", ldaxr(sf, X0, X1));
    add("stxr w2, " + t + ", [x1]", stxr(sf, X2, X0, X1));
    add("stlxr w2, " + t + ", [x1]", stlxr(sf, X2, X0, X1));
  }
  add("ldxr x30, [sp]", ldxr(true, X30, SP));
  add("ldaxr w29, [x28]", ldaxr(false, X29, X28));
  add("stxr w30, xzr, [sp]", stxr(true, X30, XZR, SP));
  add("stlxr w17, x16, [x15]", stlxr(true, X17, X16, X15));

  // Barriers, hints, exception generation
  add("dmb ish", dmb(BarrierOption::ISH));
  add("dmb ishld", dmb(BarrierOption::ISHLD));
  add("dmb ishst", dmb(BarrierOption::ISHST));
  add("dmb sy", dmb(BarrierOption::SY));
  add("nop", nop());
  add("brk #0", brk(0));
  add("brk #0x1", brk(1));
  add("brk #0xffff", brk(0xffff));
  add("brk #0x3e8", brk(1000));
  return c;
}

std::string word_hex(uint32_t w) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", w);
  return buf;
}

// ---- the tests ----

TEST(A64Encoding, EveryEncoderCallMatchesLlvmMc) {
  std::vector<std::string> errors;
  const std::map<std::string, TableRow> table = parse_table(errors);
  for (const std::string& e : errors) ADD_FAILURE() << "a64_encodings.txt " << e;
  const std::vector<Case> cases = all_cases();
  std::set<std::string> seen;
  for (const Case& c : cases) {
    EXPECT_TRUE(seen.insert(c.text).second) << "case listed twice: " << c.text;
    const auto row = table.find(c.text);
    if (row == table.end()) {
      ADD_FAILURE() << "not in a64_encodings.txt: " << c.text << "  (encoder gives " << word_hex(c.word) << ")";
      continue;
    }
    EXPECT_EQ(word_hex(c.word), word_hex(row->second.word))
        << c.text << "  (a64_encodings.txt line " << row->second.line << ")";
  }
  for (const auto& [text, row] : table) {
    EXPECT_TRUE(seen.count(text)) << "a64_encodings.txt line " << row.line << " has no encoder call: " << text;
  }
  RecordProperty("cases", static_cast<int>(cases.size()));
}

// DecodeBitMasks from the Arm ARM (shared/functions/bitmasks), for an
// immediate: the value a logical instruction's (N, immr, imms) stands for,
// or nullopt for a reserved combination.
std::optional<uint64_t> decode_bit_masks(bool sf, unsigned n, unsigned immr, unsigned imms) {
  const unsigned combined = (n << 6) | (~imms & 0x3F);
  if (combined == 0) return std::nullopt;
  const unsigned len = 31 - static_cast<unsigned>(std::countl_zero(combined));  // highest set bit
  if (len < 1 || (!sf && n == 1)) return std::nullopt;
  const unsigned levels = (1u << len) - 1;
  const unsigned s = imms & levels, rot = immr & levels;
  if (s == levels) return std::nullopt;  // all ones
  const unsigned esize = 1u << len;
  const uint64_t emask = esize == 64 ? ~uint64_t{0} : (uint64_t{1} << esize) - 1;
  const uint64_t welem = (uint64_t{1} << (s + 1)) - 1;
  const uint64_t elem = rot == 0 ? welem : ((welem >> rot) | (welem << (esize - rot))) & emask;
  uint64_t value = 0;
  for (unsigned i = 0; i < (sf ? 64u : 32u); i += esize) value |= elem << i;
  return value;
}

// Every (N, immr, imms) with immr below the element size, decoded: the set
// of all encodable values, each with its one canonical encoding.
std::map<uint64_t, LogicalImmediate> all_bitmasks(bool sf) {
  std::map<uint64_t, LogicalImmediate> all;
  for (unsigned n = 0; n < (sf ? 2u : 1u); ++n) {
    for (unsigned imms = 0; imms < 64; ++imms) {
      for (unsigned immr = 0; immr < 64; ++immr) {
        const std::optional<uint64_t> v = decode_bit_masks(sf, n, immr, imms);
        if (!v) continue;
        const unsigned esize = std::bit_floor((n << 6) | (~imms & 0x3F));
        if (immr >= esize) continue;  // the same value as immr % esize
        EXPECT_TRUE(all.emplace(*v, LogicalImmediate{static_cast<uint8_t>(n), static_cast<uint8_t>(immr),
                                                     static_cast<uint8_t>(imms)})
                        .second)
            << "two encodings for " << hex(*v);
      }
    }
  }
  return all;
}

TEST(A64LogicalImmediate, FindsEveryEncodableValueAndItsEncoding) {
  for (const bool sf : {true, false}) {
    const std::map<uint64_t, LogicalImmediate> all = all_bitmasks(sf);
    EXPECT_EQ(all.size(), sf ? 5334u : 1302u);  // the Arm ARM's counts
    for (const auto& [value, expected] : all) {
      const std::optional<LogicalImmediate> found = logical_immediate(sf, value);
      ASSERT_TRUE(found.has_value()) << hex(value);
      EXPECT_EQ(found->n, expected.n) << hex(value);
      EXPECT_EQ(found->immr, expected.immr) << hex(value);
      EXPECT_EQ(found->imms, expected.imms) << hex(value);
    }
  }
}

TEST(A64LogicalImmediate, RejectsValuesWithoutAnEncoding) {
  for (const bool sf : {true, false}) {
    EXPECT_FALSE(logical_immediate(sf, 0).has_value());
    EXPECT_FALSE(logical_immediate(sf, ~uint64_t{0}).has_value());
    EXPECT_FALSE(logical_immediate(sf, 0x1234).has_value());
    EXPECT_FALSE(logical_immediate(sf, 0x5).has_value());  // two runs in every element
  }
  // A 32-bit operand looks only at the low 32 bits.
  EXPECT_FALSE(logical_immediate(false, 0xFFFFFFFF).has_value());
  EXPECT_FALSE(logical_immediate(false, 0xFFFFFFFF00000000).has_value());
  EXPECT_TRUE(logical_immediate(false, 0xABCD00000000000F).has_value());
  EXPECT_TRUE(logical_immediate(true, 0xFFFFFFFF).has_value());
  EXPECT_TRUE(logical_immediate(true, 0xFFFFFFFF00000001).has_value());  // one run, wrapping around
  EXPECT_FALSE(logical_immediate(true, 0xFFFFFFFF00000002).has_value());
}

// Whatever the finder returns decodes to the value it was given, and it
// returns nothing exactly for the values outside the encodable set: checked
// on every encodable value with each single bit flipped (the values nearest
// the set) and on random values of several shapes.
TEST(A64LogicalImmediate, AnswersDecodeBackToTheirValue) {
  for (const bool sf : {true, false}) {
    const unsigned width = sf ? 64 : 32;
    const uint64_t mask = sf ? ~uint64_t{0} : 0xFFFFFFFF;
    const std::map<uint64_t, LogicalImmediate> all = all_bitmasks(sf);
    size_t checked = 0, encodable = 0;
    auto check = [&](uint64_t value) {
      value &= mask;
      const std::optional<LogicalImmediate> found = logical_immediate(sf, value);
      ++checked;
      EXPECT_EQ(found.has_value(), all.count(value) == 1) << hex(value);
      if (!found) return;
      ++encodable;
      EXPECT_EQ(decode_bit_masks(sf, found->n, found->immr, found->imms), value) << hex(value);
    };
    for (const auto& entry : all) {
      for (unsigned bit = 0; bit < width; ++bit) check(entry.first ^ (uint64_t{1} << bit));
    }
    std::mt19937_64 rng(sf ? 64 : 32);
    for (int i = 0; i < 200000; ++i) {
      const uint64_t a = rng(), b = rng();
      check(a);
      check(a & b);                          // sparse
      check(a | b);                          // dense
      check(a >> (b % width));               // a short top run of zeros
      check((uint64_t{1} << (a % 63)) - 1);  // one run from bit 0
    }
    EXPECT_GT(encodable, 1000u);
    RecordProperty(sf ? "checked64" : "checked32", static_cast<int>(checked));
  }
}

// The field a patcher wrote, as a signed byte displacement.
int64_t field_disp(uint32_t word, unsigned bits, unsigned lsb) {
  const int64_t raw = (word >> lsb) & ((uint32_t{1} << bits) - 1);
  return (raw >= (int64_t{1} << (bits - 1)) ? raw - (int64_t{1} << bits) : raw) * 4;
}

TEST(A64Patch, Imm26ReachesPlusMinus128MiB) {
  constexpr int64_t kReach = int64_t{128} << 20;
  for (const uint32_t original : {b(0), bl(-4)}) {
    uint32_t word = original;
    EXPECT_TRUE(patch_imm26(word, kReach - 4));
    EXPECT_EQ(field_disp(word, 26, 0), kReach - 4);
    EXPECT_EQ(word & 0xFC000000u, original & 0xFC000000u);  // B stays B, BL stays BL
    EXPECT_TRUE(patch_imm26(word, -kReach));
    EXPECT_EQ(field_disp(word, 26, 0), -kReach);
    const uint32_t before = word;
    EXPECT_FALSE(patch_imm26(word, kReach));
    EXPECT_FALSE(patch_imm26(word, -kReach - 4));
    for (const int64_t misaligned : {1, 2, 3, -1, -6}) EXPECT_FALSE(patch_imm26(word, misaligned));
    EXPECT_EQ(word, before);  // a refused patch changes nothing
  }
  uint32_t word = bl(-134217728);
  ASSERT_TRUE(patch_imm26(word, 8));
  EXPECT_EQ(word, bl(8));  // every old bit of the field is replaced
}

TEST(A64Patch, Imm19ReachesPlusMinus1MiB) {
  constexpr int64_t kReach = int64_t{1} << 20;
  for (const uint32_t original : {b_cond(Cond::NE, 0), cbz(true, X5, 0), cbnz(false, X30, -8)}) {
    constexpr uint32_t kField = 0x7FFFFu << 5;
    uint32_t word = original;
    EXPECT_TRUE(patch_imm19(word, kReach - 4));
    EXPECT_EQ(field_disp(word, 19, 5), kReach - 4);
    EXPECT_EQ(word & ~kField, original & ~kField);  // condition, register, sf kept
    EXPECT_TRUE(patch_imm19(word, -kReach));
    EXPECT_EQ(field_disp(word, 19, 5), -kReach);
    const uint32_t before = word;
    EXPECT_FALSE(patch_imm19(word, kReach));
    EXPECT_FALSE(patch_imm19(word, -kReach - 4));
    for (const int64_t misaligned : {1, 2, 3, -2}) EXPECT_FALSE(patch_imm19(word, misaligned));
    EXPECT_EQ(word, before);
  }
  uint32_t word = b_cond(Cond::GT, -1048576);
  ASSERT_TRUE(patch_imm19(word, 12));
  EXPECT_EQ(word, b_cond(Cond::GT, 12));
  word = cbnz(true, X7, 1048572);
  ASSERT_TRUE(patch_imm19(word, -12));
  EXPECT_EQ(word, cbnz(true, X7, -12));
}

TEST(A64Patch, Imm14ReachesPlusMinus32KiB) {
  constexpr int64_t kReach = int64_t{32} << 10;
  for (const uint32_t original : {tbz(X0, 0, 0), tbnz(X3, 40, -4), tbz(X30, 63, 8)}) {
    constexpr uint32_t kField = 0x3FFFu << 5;
    uint32_t word = original;
    EXPECT_TRUE(patch_imm14(word, kReach - 4));
    EXPECT_EQ(field_disp(word, 14, 5), kReach - 4);
    EXPECT_EQ(word & ~kField, original & ~kField);  // bit number and register kept
    EXPECT_TRUE(patch_imm14(word, -kReach));
    EXPECT_EQ(field_disp(word, 14, 5), -kReach);
    const uint32_t before = word;
    EXPECT_FALSE(patch_imm14(word, kReach));
    EXPECT_FALSE(patch_imm14(word, -kReach - 4));
    for (const int64_t misaligned : {1, 2, 3, -3}) EXPECT_FALSE(patch_imm14(word, misaligned));
    EXPECT_EQ(word, before);
  }
  uint32_t word = tbnz(X3, 40, -32768);
  ASSERT_TRUE(patch_imm14(word, 4));
  EXPECT_EQ(word, tbnz(X3, 40, 4));
}

TEST(A64Fits, PredicatesMatchTheFieldRanges) {
  EXPECT_TRUE(fits_imm26(134217724));
  EXPECT_FALSE(fits_imm26(134217728));
  EXPECT_TRUE(fits_imm19(-1048576));
  EXPECT_FALSE(fits_imm19(-1048580));
  EXPECT_TRUE(fits_imm14(32764));
  EXPECT_FALSE(fits_imm14(32766));
  EXPECT_TRUE(fits_add_sub_imm(4095));
  EXPECT_FALSE(fits_add_sub_imm(4097));
  EXPECT_TRUE(fits_add_sub_imm(4095u << 12));
  EXPECT_FALSE(fits_add_sub_imm(4096u << 12));
  EXPECT_TRUE(fits_unsigned_offset(Size::k64, 32760));
  EXPECT_FALSE(fits_unsigned_offset(Size::k64, 32768));
  EXPECT_FALSE(fits_unsigned_offset(Size::k32, 2));
  EXPECT_FALSE(fits_unsigned_offset(Size::k8, -1));
  EXPECT_TRUE(fits_unscaled_offset(-256));
  EXPECT_FALSE(fits_unscaled_offset(256));
  EXPECT_TRUE(fits_pair_offset(true, -512));
  EXPECT_FALSE(fits_pair_offset(true, 512));
  EXPECT_FALSE(fits_pair_offset(true, 4));
  EXPECT_TRUE(fits_pair_offset(false, 252));
  EXPECT_FALSE(fits_pair_offset(false, 256));
  EXPECT_TRUE(fits_adr(1048575));
  EXPECT_FALSE(fits_adr(1048576));
}

TEST(A64Encoding, ConditionsInvertByTheirLowBit) {
  EXPECT_EQ(invert(Cond::EQ), Cond::NE);
  EXPECT_EQ(invert(Cond::HS), Cond::LO);
  EXPECT_EQ(invert(Cond::GE), Cond::LT);
  EXPECT_EQ(invert(Cond::GT), Cond::LE);
  EXPECT_EQ(invert(Cond::HI), Cond::LS);
  EXPECT_EQ(invert(invert(Cond::VS)), Cond::VS);
}

}  // namespace
}  // namespace sbpf::jit::a64
