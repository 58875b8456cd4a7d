"""Fashion-MNIST with a small convolutional network, on glassgrad -- or, with ``--torch``, on PyTorch.

This is an ordinary PyTorch training script. The only lines that differ between the two libraries are
the imports right below: ``import glassgrad as torch`` binds the name ``torch`` to glassgrad, and every
line after it is the same for both. Run it with and without ``--torch`` to compare them.

    python examples/fashion_cnn.py                          # glassgrad, the defaults: 5 epochs
    python examples/fashion_cnn.py --torch                  # the same script on PyTorch
    python examples/fashion_cnn.py --record runs/cnn        # then: python -m glassgrad plot runs/cnn
    python examples/fashion_cnn.py --checkpoint ckpt/cnn    # stop it any time; run it again to resume
    python examples/fashion_cnn.py --epochs 1 --channels 8  # a quick try

The images come from Debian's ``dataset-fashion-mnist`` package (or a download) through glassgrad's
loader; under ``--torch`` they are handed to PyTorch as torch tensors, so both libraries see the same data.
"""
import argparse
import contextlib
import math
import os
import sys
import time

# ---- the only lines that differ between glassgrad and PyTorch -----------------------------------
if "--torch" in sys.argv[1:]:
    import torch
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset
    torch.set_num_threads(os.cpu_count())  # as many threads as NumPy's BLAS, which glassgrad runs on
else:
    import glassgrad as torch
    from glassgrad import nn
    from glassgrad.utils.data import DataLoader, TensorDataset
# --------------------------------------------------------------------------------------------------

from glassgrad.data import FashionMNIST  # both libraries read the files through glassgrad


def parse_args(argv=None):
    p = argparse.ArgumentParser(description="Train a CNN on Fashion-MNIST (glassgrad or PyTorch).")
    p.add_argument("--torch", action="store_true", help="run on PyTorch instead of glassgrad")
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--channels", type=int, default=32, help="channels of the first convolution "
                   "(twice as many in the second)")
    p.add_argument("--dropout", type=float, default=0.25)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=1e-3, help="peak learning rate of AdamW")
    p.add_argument("--weight-decay", type=float, default=0.05)
    p.add_argument("--train-samples", type=int, default=None, metavar="N",
                   help="train on the first N training images only (quick tries, tests)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--record", metavar="RUN_DIR", help="record the run with glassgrad.trace into RUN_DIR")
    p.add_argument("--checkpoint", metavar="DIR", help="save after every epoch into DIR; resume from it")
    args = p.parse_args(argv)
    if args.record and args.torch:
        p.error("--record records with glassgrad.trace: drop --torch")
    return args


# ---- the data: (N, 1, 28, 28) float32 images, standardised; (N,) int64 labels -----------------------
def load_data(train_samples=None):
    train = FashionMNIST(train=True, normalize=True)
    test = FashionMNIST(train=False, normalize=True)
    x_train, y_train = (torch.from_numpy(t.numpy()) for t in train.tensors)
    x_test, y_test = (torch.from_numpy(t.numpy()) for t in test.tensors)
    if train_samples is not None:
        x_train, y_train = x_train[:train_samples], y_train[:train_samples]
    return TensorDataset(x_train, y_train), TensorDataset(x_test, y_test), train.classes


# ---- the model ------------------------------------------------------------------------------------
class CNN(nn.Module):
    """Two blocks of 3x3 convolution, batch norm, ReLU and 2x2 max pooling, then a small classifier."""

    def __init__(self, channels=32, dropout=0.25, classes=10):
        super().__init__()
        c = channels
        self.features = nn.Sequential(                                       # x: (B, 1, 28, 28)
            nn.Conv2d(1, c, kernel_size=3, padding=1), nn.BatchNorm2d(c), nn.ReLU(),       # (B, c, 28, 28)
            nn.MaxPool2d(2),                                                              # (B, c, 14, 14)
            nn.Conv2d(c, 2 * c, kernel_size=3, padding=1), nn.BatchNorm2d(2 * c), nn.ReLU(),
            nn.MaxPool2d(2),                                                              # (B, 2c, 7, 7)
        )
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Dropout(dropout),                                            # (B, 2c * 49)
            nn.Linear(2 * c * 7 * 7, 128), nn.ReLU(), nn.Dropout(dropout),                # (B, 128)
            nn.Linear(128, classes),                                                      # (B, 10)
        )

    def forward(self, x):                           # x: (B, 1, 28, 28)
        return self.classifier(self.features(x))    # (B, 10) logits


# ---- the learning rate: a pure function of the step (warm up linearly, then a cosine to zero) -------
def learning_rate(step, total_steps, peak, warmup_steps):
    if step < warmup_steps:
        return peak * (step + 1) / warmup_steps
    progress = (step - warmup_steps) / max(1, total_steps - warmup_steps)
    return peak * 0.5 * (1.0 + math.cos(math.pi * progress))


@torch.no_grad()
def evaluate(model, loader, loss_fn):
    """Mean loss and accuracy over ``loader``, in eval mode (running batch-norm statistics, no
    dropout), building no graph."""
    model.eval()
    total_loss, correct, count = 0.0, 0, 0
    for x, y in loader:
        logits = model(x)
        total_loss += loss_fn(logits, y).item() * len(y)
        correct += (logits.argmax(dim=1) == y).sum().item()
        count += len(y)
    model.train()
    return total_loss / count, correct / count


def recording(args, model, optimizer, loss_fn, train_set, total_steps):
    """With ``--record``, a glassgrad.trace.Recorder watching a fixed probe batch of the first 64
    training images (it records each ``optimizer.step()`` through the optimizer's hooks); else nothing."""
    if not args.record:
        return contextlib.nullcontext()
    from glassgrad.trace import Recorder
    return Recorder(model, args.record, optimizer=optimizer, probe=train_set[:64], loss_fn=loss_fn,
                    total_steps=total_steps, config=vars(args),
                    dataset={"name": "FashionMNIST", "train_samples": len(train_set)})


def main(argv=None):
    args = parse_args(argv)
    torch.manual_seed(args.seed)
    train_set, test_set, classes = load_data(args.train_samples)
    test_loader = DataLoader(test_set, batch_size=1000)
    model = CNN(args.channels, args.dropout, len(classes))
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    steps_per_epoch = math.ceil(len(train_set) / args.batch_size)
    total_steps = args.epochs * steps_per_epoch
    parameters = sum(p.numel() for p in model.parameters())
    print(f"{torch.__name__}: {parameters:,} parameters, "
          f"{len(train_set):,} training images, {total_steps:,} steps")

    # Resume: the checkpoint holds the weights, the optimizer's moments and the epochs done.
    start_epoch, path = 0, None
    if args.checkpoint:
        os.makedirs(args.checkpoint, exist_ok=True)
        path = os.path.join(args.checkpoint, f"{torch.__name__}.ckpt")  # torch pickles, glassgrad doesn't
        if os.path.exists(path):
            saved = torch.load(path)
            model.load_state_dict(saved["model"])
            optimizer.load_state_dict(saved["optimizer"])
            start_epoch = saved["epoch"]
            print(f"resumed from {path} after epoch {start_epoch}")

    started, history = time.perf_counter(), []
    with recording(args, model, optimizer, loss_fn, train_set, total_steps) as recorder:
        for epoch in range(start_epoch, args.epochs):
            # Seeding each epoch makes a resumed run draw the same shuffles and dropout masks.
            torch.manual_seed(args.seed + epoch)
            train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True)
            epoch_start, total_loss = time.perf_counter(), 0.0
            for i, (x, y) in enumerate(train_loader):
                lr = learning_rate(epoch * steps_per_epoch + i, total_steps, args.lr, steps_per_epoch // 2)
                for group in optimizer.param_groups:
                    group["lr"] = lr
                optimizer.zero_grad()
                loss = loss_fn(model(x), y)
                loss.backward()
                optimizer.step()
                total_loss += loss.item()
            train_loss = total_loss / len(train_loader)
            test_loss, test_accuracy = evaluate(model, test_loader, loss_fn)
            history.append({"epoch": epoch + 1, "train_loss": train_loss, "test_loss": test_loss,
                            "test_accuracy": test_accuracy})
            print(f"epoch {epoch + 1}/{args.epochs}  train loss {train_loss:.4f}  test loss {test_loss:.4f}  "
                  f"test accuracy {test_accuracy:.2%}  {time.perf_counter() - epoch_start:.1f}s", flush=True)
            if recorder is not None:
                recorder.log_epoch(epoch + 1, loss=train_loss, val_loss=test_loss, val_accuracy=test_accuracy)
            if path:
                torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                            "epoch": epoch + 1}, path)
    minutes = (time.perf_counter() - started) / 60
    test_loss, test_accuracy = evaluate(model, test_loader, loss_fn)
    print(f"done: test accuracy {test_accuracy:.2%}, test loss {test_loss:.4f}, {minutes:.2f} min "
          f"({torch.__name__})")
    return {"test_accuracy": test_accuracy, "test_loss": test_loss, "minutes": minutes,
            "parameters": parameters, "history": history}


if __name__ == "__main__":
    main()
