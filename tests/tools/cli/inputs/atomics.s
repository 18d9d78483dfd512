# Every kind of atomic the arm64 backend distinguishes: a plain one, a
# fetching one, an AND (a complement first with LSE), an exchange and a
# compare-exchange.
    mov %r0, 0
    mov %r2, 1
    lock add [%r1+0], %r2
    lock fetch add [%r1+0], %r2
    lock and32 [%r1+8], %r2
    lock xchg [%r1+0], %r2
    lock cmpxchg32 [%r1+8], %r2
    exit
