# The micrograd lecture's neuron, played: the forward pass, then the backward
# pass one chain-rule product at a time, then an SGD step. Press ▶ play (or →).
# animate(o, practice=True) asks you for each number before showing it.
from autograd import Value, animate

x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
b = Value(6.8813735870195432, label="b")
o = (x1 * w1 + x2 * w2 + b).tanh()
o.label = "o"
animate(o, lr=0.1)
