# Train a tiny MLP on two moons: the loss is printed after every epoch, while
# Python runs. (Stop ends a run that takes too long.)
import nn

X, y = nn.data.moons(60, noise=0.1, seed=0)
model = nn.MLP(2, [16, 16, 1], seed=0)       # ReLU hidden layers, linear output
optimizer = nn.SGD(model.parameters(), lr=0.05)

def report(epoch, logs, model):
    print(f"epoch {epoch + 1:2d}   loss {logs['loss']:.4f}   accuracy {logs['acc']:.0%}")

history = nn.fit(model, (X, nn.data.signed(y)), "hinge", optimizer, epochs=20,
                 callbacks=[report], seed=0, progress=False)
print("loss fell from", round(history.train_loss[0], 4), "to", round(history.train_loss[-1], 4))
