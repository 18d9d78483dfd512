# A row scan like grep's: the inner loop reads r1 + r0, r0 from 0 to 4095;
# the outer loop steps r1 by 4096, which difference bounds cannot relate to
# the input's length. The read stays guarded, but its distance from r1, which
# the inner loop never writes, is known: r1 + [0, 4095].
    ldxdw %r2, [%r1+16]
    ldxdw %r1, [%r1+8]
    rsh %r2, 12
    mov %r5, 0
    mov %r7, 0
    jeq %r2, 0, done
outer:
    mov %r0, 0
inner:
    mov %r6, %r1
    add %r6, %r0
    ldxb %r3, [%r6]
    add %r7, %r3
    add %r0, 1
    jlt %r0, 4096, inner
    add %r1, 4096
    add %r5, 1
    jlt %r5, %r2, outer
done:
    mov %r0, %r7
    exit
