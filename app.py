"""Start the chat app: ``python app.py`` (the same as ``newsqa serve``).

The app itself is ``newsqa/app.py``, installed as ``newsqa.app``; this file is the entry point a
newcomer looks for at the top of the repository.
"""

from newsqa.app import main

if __name__ == "__main__":
    main()
