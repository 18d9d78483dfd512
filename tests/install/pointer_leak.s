# A λ function that stores the input's address into the output: the
# installed verifier must reject it.
    ldxdw %r2, [%r1+0]
    ldxdw %r3, [%r1+8]
    ldxdw %r4, [%r1+24]
    mov %r0, 0
    jlt %r4, 8, done
    stxdw [%r2+0], %r3
done:
    exit
