# The tape: trace a function once, and see the straight-line program (a Wengert
# list) that backpropagation runs: the forward sweep, then the reverse sweep.
from autograd import Value, animate_tape, trace

w1, w2, b = Value(-3.0, label="w1"), Value(1.0, label="w2"), Value(6.8813735870195432, label="b")

def neuron(x1, x2):
    o = (x1 * w1 + x2 * w2 + b).tanh()
    o.label = "o"
    return o

step = trace(neuron)
print(step(2.0, 0.0), w1.grad)   # the output, and a gradient the replay wrote
print(step.tape)
animate_tape(neuron, 2.0, 0.0)   # the same tape, played line by line
