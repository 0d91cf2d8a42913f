# One training step of a small tanh network on one sample, neuron by neuron:
# each neuron shows z, its output and d(loss)/d(z), and the backward frames
# play the chain rule with numbers; then the update, and the new loss.
import nn

model = nn.MLP(2, [4, 4, 1], activation="tanh", seed=0)
nn.animate_training_step(model, [0.5, -1.0], 1.0, lr=0.1)
