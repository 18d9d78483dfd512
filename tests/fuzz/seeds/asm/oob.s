mov %r0, 0
ldxdw %r0, [%r1+8]
exit
